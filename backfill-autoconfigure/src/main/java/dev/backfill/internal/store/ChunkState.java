package dev.backfill.internal.store;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One chunk's row in the chunk table: its key range, checkpoint, counts and lease.
 *
 * @param migration the migration's name
 * @param chunk the chunk's number, from 0 in key order
 * @param rangeStart the first key of the range (inclusive) as checkpoint text, or
 * {@code null} for no lower bound
 * @param rangeEnd the key after the range (exclusive) as checkpoint text, or {@code null}
 * for no upper bound
 * @param status {@code PENDING}, {@code RUNNING}, {@code COMPLETED} or {@code FAILED}
 * @param lastKey the chunk's checkpoint, or {@code null} before its first batch
 * @param rowsProcessed rows the chunk's batches migrated
 * @param batches batches the chunk committed
 * @param rowsPerSecond the recent rate of the worker running the chunk, given to the chunk
 * when the worker claimed it and saved with each checkpoint; {@code null} before the
 * worker's first batch
 * @param leaseOwner the worker holding the chunk's lease, or {@code null}
 * @param leaseExpiresAt when that lease expires unless renewed
 * @param lastError why the chunk failed, or {@code null}
 * @param throttledMillis time its workers spent throttled between its batches, saved with
 * each checkpoint
 * @param throttleReason why a throttle held the batch of its last checkpoint, or
 * {@code null} if none did
 *
 * @since 0.1.0
 */
public record ChunkState(String migration, int chunk, @Nullable String rangeStart, @Nullable String rangeEnd,
		String status, @Nullable String lastKey, long rowsProcessed, long batches, @Nullable Double rowsPerSecond,
		@Nullable String leaseOwner, @Nullable Instant leaseExpiresAt, @Nullable String lastError,
		long throttledMillis, @Nullable String throttleReason) {

	/** Status of a chunk whose every row has been migrated. */
	public static final String COMPLETED = "COMPLETED";

	/**
	 * Whether every row of the chunk has been migrated.
	 * @return whether it has completed
	 */
	public boolean isCompleted() {
		return COMPLETED.equals(this.status);
	}

	/**
	 * The chunk's key range.
	 * @return its start and end as checkpoint text
	 */
	public ChunkRange range() {
		return new ChunkRange(this.rangeStart, this.rangeEnd);
	}

	/**
	 * The chunk's checkpoint.
	 * @return its last key and counts
	 */
	public Checkpoint checkpoint() {
		return new Checkpoint(this.lastKey, this.rowsProcessed, this.batches);
	}

}
