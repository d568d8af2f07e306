package dev.backfill.internal.settings;

import java.time.Duration;
import java.util.List;

import dev.backfill.BatchSizeMode;
import dev.backfill.RowEstimate;
import dev.backfill.internal.store.BatchLimits;
import org.jspecify.annotations.Nullable;

/**
 * The effective settings of one migration, after the per-migration properties, the
 * migration's own config and the global properties have been merged. Each value was
 * checked where it was given, with its {@link Setting}'s rule.
 *
 * @param name the migration's name
 * @param enabled whether it runs at all
 * @param batchSize rows per batch; in adaptive mode, of the first batch
 * @param throttle pause between two batches
 * @param keyColumns the columns ordering and resuming the migration, most significant
 * first: one, or several for a composite key
 * @param transactional whether a batch's writes and its checkpoint share one transaction
 * @param statementTimeout longest a statement of a batch may run, or {@code null}
 * @param lockTimeout longest a statement of a batch may wait for a lock, or {@code null}
 * @param batchSizeMode whether the batch size is fixed or adapts to the batch time
 * @param targetBatchDuration in adaptive mode, the batch time aimed at
 * @param minBatchSize in adaptive mode, the fewest rows a batch is given
 * @param maxBatchSize in adaptive mode, the most rows a batch is given, at least
 * {@code minBatchSize}
 * @param estimate how the estimated total is taken when a run starts
 * @param dryRun whether every batch is rolled back and nothing is saved
 * @param verify what happens when the cursor reaches the end of a pass
 *
 * @since 0.1.0
 */
public record MigrationSettings(String name, boolean enabled, int batchSize, Duration throttle,
		List<String> keyColumns, boolean transactional, @Nullable Duration statementTimeout,
		@Nullable Duration lockTimeout, BatchSizeMode batchSizeMode, Duration targetBatchDuration, int minBatchSize,
		int maxBatchSize, RowEstimate estimate, boolean dryRun, VerifySettings verify) {

	/**
	 * Settings whose estimated total is counted, that really run, and whose rows left at
	 * the end are counted with no sweep.
	 * @param name the migration's name
	 * @param enabled whether it runs at all
	 * @param batchSize rows per batch; in adaptive mode, of the first batch
	 * @param throttle pause between two batches
	 * @param keyColumns the columns ordering and resuming the migration, most significant first
	 * @param transactional whether a batch's writes and its checkpoint share one transaction
	 * @param statementTimeout longest a statement of a batch may run, or {@code null}
	 * @param lockTimeout longest a statement of a batch may wait for a lock, or {@code null}
	 * @param batchSizeMode whether the batch size is fixed or adapts to the batch time
	 * @param targetBatchDuration in adaptive mode, the batch time aimed at
	 * @param minBatchSize in adaptive mode, the fewest rows a batch is given
	 * @param maxBatchSize in adaptive mode, the most rows a batch is given
	 */
	public MigrationSettings(String name, boolean enabled, int batchSize, Duration throttle,
			List<String> keyColumns, boolean transactional, @Nullable Duration statementTimeout,
			@Nullable Duration lockTimeout, BatchSizeMode batchSizeMode, Duration targetBatchDuration,
			int minBatchSize, int maxBatchSize) {
		this(name, enabled, batchSize, throttle, keyColumns, transactional, statementTimeout, lockTimeout,
				batchSizeMode, targetBatchDuration, minBatchSize, maxBatchSize, RowEstimate.COUNT, false,
				VerifySettings.DEFAULTS);
	}

	/**
	 * Settings with a fixed batch size and a key of one column, for callers that do not
	 * adapt it (benchmarks, test fixtures); the adaptive settings are unused then.
	 * @param name the migration's name
	 * @param enabled whether it runs at all
	 * @param batchSize rows per batch
	 * @param throttle pause between two batches
	 * @param keyColumn the column ordering and resuming the migration
	 * @param transactional whether a batch's writes and its checkpoint share one transaction
	 * @param statementTimeout longest a statement of a batch may run, or {@code null}
	 * @param lockTimeout longest a statement of a batch may wait for a lock, or {@code null}
	 */
	public MigrationSettings(String name, boolean enabled, int batchSize, Duration throttle, String keyColumn,
			boolean transactional, @Nullable Duration statementTimeout, @Nullable Duration lockTimeout) {
		this(name, enabled, batchSize, throttle, List.of(keyColumn), transactional, statementTimeout, lockTimeout);
	}

	/**
	 * Settings with a fixed batch size, for callers that do not adapt it (benchmarks, test
	 * fixtures); the adaptive settings are unused then.
	 * @param name the migration's name
	 * @param enabled whether it runs at all
	 * @param batchSize rows per batch
	 * @param throttle pause between two batches
	 * @param keyColumns the columns ordering and resuming the migration, most significant first
	 * @param transactional whether a batch's writes and its checkpoint share one transaction
	 * @param statementTimeout longest a statement of a batch may run, or {@code null}
	 * @param lockTimeout longest a statement of a batch may wait for a lock, or {@code null}
	 */
	public MigrationSettings(String name, boolean enabled, int batchSize, Duration throttle, List<String> keyColumns,
			boolean transactional, @Nullable Duration statementTimeout, @Nullable Duration lockTimeout) {
		this(name, enabled, batchSize, throttle, keyColumns, transactional, statementTimeout, lockTimeout,
				BatchSizeMode.FIXED, Duration.ofMillis(500), batchSize, batchSize);
	}

	/**
	 * Checks the batch size range, which may be merged from different levels, and keeps a
	 * copy of the key columns.
	 * @throws IllegalArgumentException if the minimum batch size exceeds the maximum
	 */
	public MigrationSettings {
		keyColumns = List.copyOf(keyColumns);
		String problem = Setting.batchSizeRangeProblem(minBatchSize, maxBatchSize, "maxBatchSize");
		if (problem != null) {
			throw new IllegalArgumentException(
					"minBatchSize of migration '" + name + "' " + problem + " but was " + minBatchSize);
		}
	}

	/**
	 * The batch limits to apply to each batch's transaction.
	 * @param idleTimeout the idle-transaction guard (the lease duration)
	 * @return the limits
	 */
	public BatchLimits limits(Duration idleTimeout) {
		return new BatchLimits(this.statementTimeout, this.lockTimeout, idleTimeout);
	}

}
