package dev.backfill.internal.progress;

import java.time.Instant;
import java.util.List;

import dev.backfill.MigrationInfo;
import dev.backfill.internal.store.ChunkState;
import org.jspecify.annotations.Nullable;

/**
 * What a migration's chunk rows add up to, for operators: how many chunks are done and
 * held, by whom, the rows and batches committed in all of them, and the migration's rate:
 * the rates of its running chunks added up, each its worker's as of the chunk's last
 * checkpoint (every worker of every instance holds one chunk at a time, and gives its rate
 * to the next chunk it claims).
 *
 * @param progress chunks in all, completed and running
 * @param owners the workers holding a running chunk, each once
 * @param rows rows committed in every chunk, the running ones included
 * @param batches batches committed in every chunk
 * @param unfinishedRows rows committed in the chunks not completed, which the tracking row
 * does not count yet
 * @param unfinishedBatches batches committed in the chunks not completed
 * @param rowsPerSecond the running chunks' rates added up, or {@code null} while none has
 * saved one
 * @param throttledMillis time the workers spent throttled in every chunk, added up
 * @param unfinishedThrottledMillis of that, the time in the chunks not completed
 * @param throttleReason why a throttle held the last batch of a running chunk, or
 * {@code null} if none did
 * @since 0.1.0
 */
public record ChunkFigures(MigrationInfo.ChunkProgress progress, List<String> owners, long rows, long batches,
		long unfinishedRows, long unfinishedBatches, @Nullable Double rowsPerSecond, long throttledMillis,
		long unfinishedThrottledMillis, @Nullable String throttleReason) {

	/**
	 * Adds up a migration's chunks.
	 * @param chunks its chunk rows
	 * @param now the time a lease must outlast for its chunk to count as running (a worker
	 * that died leaves its lease to expire, and its rate with it)
	 * @return the figures
	 */
	public static ChunkFigures of(List<ChunkState> chunks, Instant now) {
		int completed = 0;
		int running = 0;
		long rows = 0;
		long batches = 0;
		Double rate = null;
		long unfinishedRows = 0;
		long unfinishedBatches = 0;
		long throttled = 0;
		long unfinishedThrottled = 0;
		String reason = null;
		for (ChunkState chunk : chunks) {
			throttled += chunk.throttledMillis();
			if (ChunkState.COMPLETED.equals(chunk.status())) {
				completed++;
			}
			else {
				unfinishedRows += chunk.rowsProcessed();
				unfinishedBatches += chunk.batches();
				unfinishedThrottled += chunk.throttledMillis();
			}
			if (!ChunkState.COMPLETED.equals(chunk.status()) && isHeld(chunk, now)) {
				running++;
				if (reason == null) {
					reason = chunk.throttleReason();
				}
				if (chunk.rowsPerSecond() != null) {
					rate = ((rate != null) ? rate : 0) + chunk.rowsPerSecond();
				}
			}
			rows += chunk.rowsProcessed();
			batches += chunk.batches();
		}
		List<String> owners = chunks.stream()
			.filter((chunk) -> !ChunkState.COMPLETED.equals(chunk.status()) && isHeld(chunk, now))
			.map(ChunkState::leaseOwner)
			.distinct()
			.sorted()
			.toList();
		return new ChunkFigures(new MigrationInfo.ChunkProgress(chunks.size(), completed, running), owners, rows,
				batches, unfinishedRows, unfinishedBatches, rate, throttled, unfinishedThrottled, reason);
	}

	private static boolean isHeld(ChunkState chunk, Instant now) {
		return chunk.leaseOwner() != null && (chunk.leaseExpiresAt() == null || chunk.leaseExpiresAt().isAfter(now));
	}

}
