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
	BACKGROUND

}
