package dev.backfill;

/**
 * Lifecycle of a migration as recorded in its row of the tracking table.
 *
 * @since 0.1.0
 */
public enum MigrationStatus {

	/** Not started yet, or stopped cleanly and resumable. */
	PENDING,

	/** Being run by the instance named in {@code lease_owner}, until its lease expires. */
	RUNNING,

	/**
	 * Paused through {@link BackfillOperations#pause(String, String)}: no instance starts it,
	 * a running one stops at its next batch, until it is resumed.
	 */
	PAUSED,

	/** All rows migrated; never runs again unless rerun. */
	COMPLETED,

	/** Stopped by an error (see {@code last_error}); resumes from its checkpoint on the next start or a retry. */
	FAILED

}
