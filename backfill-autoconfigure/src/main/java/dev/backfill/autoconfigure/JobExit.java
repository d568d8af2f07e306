package dev.backfill.autoconfigure;

/**
 * How the JVM ends once a {@link dev.backfill.BackfillMode#JOB job-mode} run has
 * completed every migration (or passed over paused ones) and the application context has
 * been closed. The default
 * calls {@link System#exit(int)}; define a bean of your own to do otherwise (a test that
 * must not end its JVM, a launcher that runs several jobs).
 * <p>
 * A failed run does not come here: it fails startup as in blocking mode, with Spring
 * Boot's failure report, and Spring Boot ends the JVM with {@link #FAILED}.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface JobExit {

	/** The exit status of a run that completed every migration. */
	int COMPLETED = 0;

	/** The exit status of a run in which a migration failed or waiting for another instance timed out. */
	int FAILED = 1;

	/**
	 * The exit status of a run that passed over paused migrations, every other one having
	 * completed: nothing failed, and the job is not done until they are resumed and run.
	 */
	int PAUSED = 2;

	/**
	 * Ends the JVM.
	 * @param status the exit status: {@link #COMPLETED} (or {@link #PAUSED}), unless an
	 * {@link org.springframework.boot.ExitCodeGenerator} bean of the application asked for
	 * another
	 */
	void exit(int status);

}
