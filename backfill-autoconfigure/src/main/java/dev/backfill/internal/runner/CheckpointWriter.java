package dev.backfill.internal.runner;

import dev.backfill.internal.store.Checkpoint;
import dev.backfill.internal.store.RunFigures;

/**
 * Where a batch saves its checkpoint, inside the batch's transaction: the migration's row
 * in the tracking table, or a chunk's row in the chunk table.
 */
@FunctionalInterface
interface CheckpointWriter {

	/**
	 * Saves the checkpoint, renewing the lease it is conditioned on.
	 * @param next the new checkpoint
	 * @param previousBatches the batch count last seen; the write is refused if it changed
	 * @param completed whether this was the last batch
	 * @param figures the run's rate and time throttled as of this batch, for a writer that
	 * saves them
	 * @return whether the write took effect; the caller rolls the batch back if not
	 */
	boolean save(Checkpoint next, long previousBatches, boolean completed, RunFigures figures);

}
