package dev.backfill;

/**
 * How the application waits for its migrations ({@code backfill.mode}).
 *
 * @since 0.1.0
 */
public enum BackfillMode {

	/**
	 * All pending migrations finish before the application reports ready, waiting for
	 * those another instance is running; a failure fails startup.
	 */
	BLOCKING,

	/**
	 * Migrations run on one worker thread and the application is ready at once; a failure
	 * is recorded and logged, and migrations another instance is running are skipped.
	 */
	BACKGROUND,

	/**
	 * For Kubernetes Jobs and one-off runs: migrations run as in {@link #BLOCKING} mode,
	 * then the application exits, with status 0 when every migration has completed (or
	 * had, or is disabled) and 1 when one failed or waiting for another instance timed out.
	 * @since 0.1.0
	 */
	JOB

}
