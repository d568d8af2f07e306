package dev.backfill.internal.progress;

import java.time.Instant;
import java.util.List;

import dev.backfill.MigrationStatus;
import dev.backfill.internal.store.ChunkState;
import dev.backfill.internal.store.ChunkStore;
import dev.backfill.internal.store.MigrationState;
import org.jspecify.annotations.Nullable;

/**
 * A migration's figures as every instance reads them from the database: its tracking row,
 * and for a migration run in chunks its chunk rows too, whose counts run ahead of the
 * tracking row's (which adds a chunk's only when it completes) and whose rates add up to
 * the migration's. The one place the endpoint, the console, the gauges and the progress
 * line of a run in chunks take them from.
 *
 * @param progress rows, estimated total and recent rate (only while {@code RUNNING}: a rate
 * measured before the migration stopped says nothing of now)
 * @param batches batches committed
 * @param throttledMillis time spent throttled: the tracking row's, or its chunks' added up
 * @param throttleReason why a throttle held the last batch: the tracking row's, or a
 * running chunk's
 * @param chunks what its chunks add up to, or {@code null} for a migration without chunks
 * @since 0.1.0
 */
public record MigrationFigures(Progress progress, long batches, long throttledMillis, @Nullable String throttleReason,
		@Nullable ChunkFigures chunks) {

	/**
	 * Reads the figures of a migration from its tracking row and, if it has any, its chunks.
	 * @param state the migration's tracking row
	 * @param chunkStore the chunk table of its DataSource
	 * @param parallelism its workers per instance; above 1 its chunks are read even when its
	 * row does not show them running (completed, failed, paused)
	 * @param now the time a chunk's lease must outlast for the chunk to count as running
	 * @return the figures
	 */
	public static MigrationFigures of(MigrationState state, ChunkStore chunkStore, int parallelism, Instant now) {
		long rows = state.rowsProcessed();
		long batches = state.batches();
		Double rate = state.rowsPerSecond();
		long throttled = state.throttledMillis();
		String reason = state.throttleReason();
		ChunkFigures chunks = null;
		if (ChunkStore.CHUNK_WORKERS.equals(state.leaseOwner()) || parallelism > 1) {
			List<ChunkState> chunkRows = chunkStore.findAll(state.name());
			if (!chunkRows.isEmpty()) {
				chunks = ChunkFigures.of(chunkRows, now);
				// The tracking row has each chunk's counts and time throttled from the transaction that
				// completes it (and a walk's before the split, and earlier passes'); the others count
				// theirs as they commit. Read after the row, a chunk that completed in between is in
				// neither: the chunks' own sum keeps the figure from dipping by it.
				rows = Math.max(rows + chunks.unfinishedRows(), chunks.rows());
				batches = Math.max(batches + chunks.unfinishedBatches(), chunks.batches());
				rate = chunks.rowsPerSecond();
				throttled = Math.max(throttled + chunks.unfinishedThrottledMillis(), chunks.throttledMillis());
				reason = chunks.throttleReason();
			}
		}
		Double recent = (state.status() == MigrationStatus.RUNNING) ? rate : null;
		return new MigrationFigures(new Progress(rows, state.estimatedTotal(), recent, state.isCompleted()), batches,
				throttled, reason, chunks);
	}

}
