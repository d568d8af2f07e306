package dev.backfill.internal.store;

import java.time.Instant;

import dev.backfill.MigrationStatus;
import org.jspecify.annotations.Nullable;

/**
 * One row of the tracking table: where a migration stands.
 *
 * @param name the migration's name (its bean name)
 * @param status its status
 * @param lastKey the key of the last row of the last committed batch, as text, or
 * {@code null} before the first batch
 * @param rowsProcessed rows passed to {@code migrate} in committed batches
 * @param batches committed batches
 * @param startedAt when it first started
 * @param updatedAt when its row last changed
 * @param completedAt when it completed
 * @param lastError the error that failed it, if any
 * @param leaseOwner the instance running it, if any
 * @param leaseExpiresAt until when that instance's lease holds
 * @param estimatedTotal the rows the run expected to migrate, estimated when it started
 * @param rowsPerSecond the recent rate of the running instance(s), excluding time paused or
 * throttled
 * @param throttledMillis time spent throttled so far
 * @param throttleReason why the last throttle waited, while throttled
 * @param pausedBy who paused it, when paused
 * @param pausedAt when it was paused
 * @param remainingRows rows the base query still returned when its cursor reached the end
 * (the verify pass)
 * @param pass the pass the cursor is on, from 1; a sweep starts pass 2 and on from the
 * first key
 *
 * @since 0.1.0
 */
public record MigrationState(String name, MigrationStatus status, @Nullable String lastKey, long rowsProcessed,
		long batches, @Nullable Instant startedAt, @Nullable Instant updatedAt, @Nullable Instant completedAt,
		@Nullable String lastError, @Nullable String leaseOwner, @Nullable Instant leaseExpiresAt,
		@Nullable Long estimatedTotal, @Nullable Double rowsPerSecond, long throttledMillis,
		@Nullable String throttleReason, @Nullable String pausedBy, @Nullable Instant pausedAt,
		@Nullable Long remainingRows, int pass) {

	/**
	 * Whether the migration has completed and must not run again.
	 * @return {@code true} once completed
	 */
	public boolean isCompleted() {
		return this.status == MigrationStatus.COMPLETED;
	}

}
