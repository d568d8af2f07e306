package dev.backfill.internal.settings;

import java.time.Duration;

import dev.backfill.internal.store.BatchLimits;
import org.jspecify.annotations.Nullable;

/**
 * The effective settings of one migration, after the per-migration properties, the
 * migration's own config and the global properties have been merged. Each value was
 * checked where it was given, with its {@link Setting}'s rule.
 *
 * @param name the migration's name
 * @param enabled whether it runs at all
 * @param batchSize rows per batch
 * @param throttle pause between two batches
 * @param keyColumn the column ordering and resuming the migration
 * @param transactional whether a batch's writes and its checkpoint share one transaction
 * @param statementTimeout longest a statement of a batch may run, or {@code null}
 * @param lockTimeout longest a statement of a batch may wait for a lock, or {@code null}
 *
 * @since 0.1.0
 */
public record MigrationSettings(String name, boolean enabled, int batchSize, Duration throttle, String keyColumn,
		boolean transactional, @Nullable Duration statementTimeout, @Nullable Duration lockTimeout) {

	/**
	 * The batch limits to apply to each batch's transaction.
	 * @param idleTimeout the idle-transaction guard (the lease duration)
	 * @return the limits
	 */
	public BatchLimits limits(Duration idleTimeout) {
		return new BatchLimits(this.statementTimeout, this.lockTimeout, idleTimeout);
	}

}
