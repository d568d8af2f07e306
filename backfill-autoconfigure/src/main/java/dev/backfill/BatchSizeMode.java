package dev.backfill;

/**
 * How a migration chooses the size of each batch ({@code backfill.batch-size-mode}).
 *
 * @since 0.1.0
 */
public enum BatchSizeMode {

	/** Every batch has {@code batch-size} rows (the last one may have fewer). */
	FIXED,

	/**
	 * The first batch has {@code batch-size} rows; each next one is sized from the measured
	 * time per row of the batches before it so that a batch takes about
	 * {@code target-batch-duration}, between {@code min-batch-size} and
	 * {@code max-batch-size}. A batch cancelled by the statement timeout is retried at half
	 * its size.
	 */
	ADAPTIVE

}
