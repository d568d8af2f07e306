package dev.backfill.internal.runner;

import dev.backfill.MigrationStatus;
import dev.backfill.internal.store.MigrationState;
import dev.backfill.internal.store.MigrationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;

/**
 * What a worker whose checkpoint was refused does when the refusal was a pause: the
 * checkpoint carries {@code AND status = 'RUNNING'}, so a refusal while this instance still
 * holds the lease and the migration is no longer {@code RUNNING} means it was paused (and
 * maybe resumed since: {@code PENDING}); a refusal while {@code RUNNING} is the batch-count
 * fence, another instance having moved the checkpoint on. It lets go of
 * the lease, leaving the migration {@code PAUSED}, or {@code PENDING} for any instance if it
 * was resumed meanwhile.
 */
final class PausedMigration {

	private static final Logger logger = LoggerFactory.getLogger(PausedMigration.class);

	private final MigrationStore store;

	private final String migration;

	private final String owner;

	PausedMigration(MigrationStore store, String migration, String owner) {
		this.store = store;
		this.migration = migration;
		this.owner = owner;
	}

	/**
	 * Lets go of the migration if the refused checkpoint was a pause.
	 * @return {@code true} if it was: the lease is freed; {@code false} if the lease had
	 * passed to another instance (or the row could not be read)
	 */
	boolean letGoIfPaused() {
		MigrationState state;
		try {
			state = this.store.find(this.migration).orElseThrow();
			boolean paused = state.status() == MigrationStatus.PAUSED || state.status() == MigrationStatus.PENDING;
			if (!paused || !this.owner.equals(state.leaseOwner()) || !this.store.release(this.migration, this.owner)) {
				return false;
			}
		}
		catch (DataAccessException ex) {
			// The lease expires by itself; an instance takes over once it is runnable.
			logger.warn("Backfill migration '{}': could not tell whether it was paused: {}", this.migration,
					FailureText.describe(ex));
			return false;
		}
		logger.info("Backfill migration '{}' paused{}: stopped with the batch in flight rolled back, after {} rows "
				+ "in {} batches; it resumes after key {}", this.migration,
				(state.pausedBy() != null) ? " by " + state.pausedBy() : "", state.rowsProcessed(), state.batches(),
				state.lastKey());
		return true;
	}

}
