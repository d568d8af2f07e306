package dev.backfill;

import java.time.Duration;

/**
 * Receives what happens to batches, for metrics. Implementations must be fast and should
 * not throw. Every {@code MigrationListener} bean is told, in {@code @Order}/{@code Ordered}
 * order (the Micrometer one, unordered, among the last); one that throws is logged and
 * breaks no batch.
 *
 * @since 0.1.0
 */
public interface MigrationListener {

	/** A listener that does nothing. */
	MigrationListener NONE = new MigrationListener() {
	};

	/**
	 * The runner reached a migration, whatever happens to it next (it may have completed
	 * before); lets meters exist, at zero, before the first batch.
	 * @param migration the migration's name
	 */
	default void migrationReached(String migration) {
	}

	/**
	 * The runner chose the size of the migration's next batches: once before its first
	 * batch, and again whenever an adaptive batch size changes.
	 * @param migration the migration's name
	 * @param size rows per batch from now on
	 */
	default void batchSizeChosen(String migration, int size) {
	}

	/**
	 * A batch committed.
	 * @param migration the migration's name
	 * @param rows the rows it migrated
	 * @param duration how long the attempt took
	 */
	default void batchSucceeded(String migration, int rows, Duration duration) {
	}

	/**
	 * An attempt at a batch failed (it may be retried).
	 * @param migration the migration's name
	 * @param duration how long the attempt took
	 */
	default void batchFailed(String migration, Duration duration) {
	}

	/**
	 * A batch is being retried after a transient failure.
	 * @param migration the migration's name
	 * @param cause the failure of the previous attempt
	 */
	default void batchRetried(String migration, Throwable cause) {
	}

	/**
	 * The migration waited between batches because a {@link BackfillThrottle} answered
	 * "wait"; told once per wait.
	 * @param migration the migration's name
	 * @param reason the throttle's reason
	 * @param waited how long it waited (shorter than asked if the application stopped)
	 */
	default void batchThrottled(String migration, String reason, Duration waited) {
	}

	/**
	 * The number of this instance's workers running the migration's chunks changed: told as
	 * each worker starts and ends (with {@code parallelism} above 1 only).
	 * @param migration the migration's name
	 * @param workers workers of this instance running it now
	 */
	default void workersChanged(String migration, int workers) {
	}

}
