package dev.backfill.internal.store;

import org.jspecify.annotations.Nullable;

/**
 * Where a migration stands after a batch.
 *
 * @param lastKey the key of the batch's last row, as text ({@code null} before the
 * first batch)
 * @param rowsProcessed rows processed so far
 * @param batches batches committed so far
 *
 * @since 0.1.0
 */
public record Checkpoint(@Nullable String lastKey, long rowsProcessed, long batches) {

	/**
	 * The checkpoint after one more batch.
	 * @param lastKey the key of that batch's last row, as text
	 * @param rows the rows in that batch
	 * @return the next checkpoint
	 */
	public Checkpoint next(String lastKey, int rows) {
		return new Checkpoint(lastKey, this.rowsProcessed + rows, this.batches + 1);
	}

}
