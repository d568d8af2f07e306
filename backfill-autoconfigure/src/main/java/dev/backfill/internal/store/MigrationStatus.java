package dev.backfill.internal.store;

/**
 * Lifecycle of a migration as recorded in the tracking table.
 *
 * @since 0.1.0
 */
public enum MigrationStatus {

	/** Not started yet, or stopped cleanly and resumable. */
	PENDING,

	/** Being run by the instance named in {@code lease_owner}, until its lease expires. */
	RUNNING,

	/** All rows migrated; never runs again. */
	COMPLETED,

	/** Stopped by an error (see {@code last_error}); resumes from its checkpoint on the next start. */
	FAILED

}
