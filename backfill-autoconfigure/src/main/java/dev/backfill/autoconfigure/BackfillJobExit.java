package dev.backfill.autoconfigure;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ExitCodeExceptionMapper;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.Ordered;

/**
 * Ends the application after a job-mode run. Once the application is ready (every
 * {@code ApplicationRunner} has run, ours saw every migration completed), it closes the
 * context with {@link SpringApplication#exit} and hands the exit status to {@link JobExit}:
 * the JVM ends even when a web server or another non-daemon thread would keep it running.
 * A failed run fails startup as in blocking mode; as an {@link ExitCodeExceptionMapper} it
 * gives that failure the exit status {@link JobExit#FAILED}, with which Spring Boot ends the
 * JVM.
 * <p>
 * A run that passed over paused migrations, every other one having completed, exits too,
 * with {@link JobExit#PAUSED}: nothing failed, and the job is not done.
 * <p>
 * A run stopped by a shutdown does neither: the shutdown under way decides how the JVM
 * ends.
 */
final class BackfillJobExit implements ApplicationListener<ApplicationReadyEvent>, ExitCodeExceptionMapper, Ordered {

	private static final Logger logger = LoggerFactory.getLogger(BackfillJobExit.class);

	private final BackfillApplicationRunner runner;

	private final JobExit exit;

	BackfillJobExit(BackfillApplicationRunner runner, JobExit exit) {
		this.runner = runner;
		this.exit = exit;
	}

	@Override
	public void onApplicationEvent(ApplicationReadyEvent event) {
		if (!this.runner.everyMigrationDone()) {
			List<String> paused = this.runner.pausedMigrations();
			if (!paused.isEmpty()) {
				logger.warn("Backfill job not done: migrations {} are paused (every other one has completed); the "
						+ "application exits with status {}", paused, JobExit.PAUSED);
				this.exit.exit(SpringApplication.exit(event.getApplicationContext(), () -> JobExit.PAUSED));
			}
			return;
		}
		// Logged before closing: the logging system is cleaned up with the last context.
		logger.info("Backfill job done: every migration has completed; the application exits");
		this.exit.exit(SpringApplication.exit(event.getApplicationContext(), () -> JobExit.COMPLETED));
	}

	@Override
	public int getExitCode(Throwable exception) {
		RuntimeException failure = this.runner.failure();
		for (Throwable cause = exception; cause != null; cause = cause.getCause()) {
			if (cause == failure) {
				return JobExit.FAILED;
			}
		}
		return 0;
	}

	/** Last among the listeners of the ready event, so that the others still see it. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
