package dev.backfill.internal.operations;

import java.time.Instant;
import java.util.List;

import dev.backfill.MigrationInfo;
import dev.backfill.internal.store.ChunkState;

/**
 * What a migration's chunk rows add up to, for operators: how many chunks are done and
 * held, by whom, and the rows and batches committed in all of them.
 *
 * @param progress chunks in all, completed and running
 * @param owners the workers holding a running chunk, each once
 * @param rows rows committed in every chunk, the running ones included
 * @param batches batches committed in every chunk
 */
record ChunkFigures(MigrationInfo.ChunkProgress progress, List<String> owners, long rows, long batches) {

	/**
	 * Adds up a migration's chunks.
	 * @param chunks its chunk rows
	 * @param now the time a lease must outlast for its chunk to count as running (a worker
	 * that died leaves its lease to expire)
	 * @return the figures
	 */
	static ChunkFigures of(List<ChunkState> chunks, Instant now) {
		int completed = 0;
		int running = 0;
		long rows = 0;
		long batches = 0;
		for (ChunkState chunk : chunks) {
			if (ChunkState.COMPLETED.equals(chunk.status())) {
				completed++;
			}
			else if (isHeld(chunk, now)) {
				running++;
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
				batches);
	}

	private static boolean isHeld(ChunkState chunk, Instant now) {
		return chunk.leaseOwner() != null && (chunk.leaseExpiresAt() == null || chunk.leaseExpiresAt().isAfter(now));
	}

}
