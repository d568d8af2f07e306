package dev.backfill.runner;

import java.time.Duration;
import java.util.Objects;

import dev.backfill.store.BatchLimits;
import dev.backfill.store.MigrationStore;

/**
 * The effective settings of one migration, after the per-migration properties, the
 * migration's own config and the global properties have been merged.
 *
 * @param name the migration's name
 * @param enabled whether it runs at all
 * @param batchSize rows per batch
 * @param throttle pause between two batches
 * @param keyColumn the column ordering and resuming the migration
 * @param transactional whether a batch's writes and its checkpoint share one transaction
 * @param statementTimeout longest a statement of a batch may run, or {@code null}
 * @param lockTimeout longest a statement of a batch may wait for a lock, or {@code null}
 */
public record MigrationSettings(String name, boolean enabled, int batchSize, Duration throttle, String keyColumn,
		boolean transactional, Duration statementTimeout, Duration lockTimeout) {

	public MigrationSettings {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(throttle, "throttle");
		if (batchSize < 1) {
			throw new IllegalArgumentException(
					"Batch size of migration '" + name + "' must be at least 1 but was " + batchSize);
		}
		try {
			MigrationStore.requirePlainIdentifier(keyColumn);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("Key column of migration '" + name + "': " + ex.getMessage(), ex);
		}
	}

	/**
	 * The batch limits to apply to each batch's transaction.
	 * @param idleTimeout the idle-transaction guard (the lease duration)
	 * @return the limits
	 */
	BatchLimits limits(Duration idleTimeout) {
		return new BatchLimits(this.statementTimeout, this.lockTimeout, idleTimeout);
	}

}
