package dev.backfill.internal.runner;

import dev.backfill.internal.store.Checkpoint;
import dev.backfill.internal.store.MigrationStore.CheckpointStatement;
import dev.backfill.internal.store.RunFigures;

/**
 * The checkpoint of a batch run as one statement ({@link SingleStatementBatch}): the
 * conditioned {@code UPDATE} of the migration's row or of a chunk's, written with SQL
 * expressions of the batch's last key and size that the statement computes itself.
 */
@FunctionalInterface
interface CheckpointInStatement {

	/**
	 * The checkpoint {@code UPDATE} after a batch.
	 * @param from the checkpoint the batch starts from
	 * @param figures the run's figures as of the batch before
	 * @param lastKeyText SQL expression of the batch's last key as text
	 * @param batchRows SQL expression of the batch's number of rows
	 * @return the statement, which changes one row unless the lease or checkpoint moved on
	 * or the batch is empty, and its parameters
	 */
	CheckpointStatement after(Checkpoint from, RunFigures figures, String lastKeyText, String batchRows);

}
