package dev.backfill.internal.store;

/**
 * How a database runs one batch of a set-based migration as a single statement: it reads
 * the batch's keys (with the peek row), runs the migration's update on them and saves the
 * checkpoint, and returns the keys it read so that they can be checked before the commit.
 * Where a dialect offers it ({@link SqlDialect#oneStatementBatch()}), a batch costs one
 * statement and its commit instead of three statements and a commit.
 * <p>
 * The parts of that statement that refer to the batch's keys are SQL expressions given
 * by this class, which the runner writes in place of the update's {@code IN (:keys)},
 * {@code :first} and {@code :last} and into the checkpoint.
 *
 * @since 0.1.0
 */
public interface OneStatementBatch {

	/**
	 * Label of the result column holding the keys read, the peek row's included, in key
	 * order, as one SQL array (empty for a batch that read none). The statement returns one
	 * row.
	 */
	String KEY = "backfill_keys";

	/** Label of the result column holding the number of checkpoint rows saved: 1, or 0 if the lease moved on. */
	String SAVED = "backfill_saved";

	/** Label of the result column holding the last key as the checkpoint saved it, as text. */
	String SAVED_KEY = "backfill_saved_key";

	/**
	 * What is written in place of {@code IN (:keys)}: a test of the batch's keys (without
	 * the peek row) read from the statement's own query of them.
	 * @return the test, from the operator on (such as {@code = ANY (ARRAY(SELECT ...))})
	 */
	String inKeys();

	/**
	 * What is written in place of {@code NOT IN (:keys)}.
	 * @return the test, from the operator on
	 */
	String notInKeys();

	/**
	 * An expression of the batch's first key.
	 * @return the expression
	 */
	String firstKey();

	/**
	 * An expression of the batch's last key.
	 * @return the expression
	 */
	String lastKey();

	/**
	 * An expression of the batch's last key as text, as the checkpoint stores it.
	 * @return the expression
	 */
	String lastKeyText();

	/**
	 * An expression of the number of rows in the batch (without the peek row).
	 * @return the expression
	 */
	String batchRows();

	/**
	 * The whole statement.
	 * @param batchQuery the query of the batch's keys, the peek row's included, ordered by
	 * the key and limited, selecting the key column only
	 * @param batchSize the batch's size
	 * @param update the migration's update, written with {@link #inKeys()},
	 * {@link #firstKey()} and {@link #lastKey()}
	 * @param checkpoint the checkpoint UPDATE, written with {@link #lastKeyText()} and
	 * {@link #batchRows()}
	 * @return the statement, whose parameters are those of the three parts in this order
	 */
	String statement(String batchQuery, int batchSize, String update, String checkpoint);

}
