package dev.backfill.internal.store;

/**
 * PostgreSQL's single statement per batch: data-modifying CTEs over one array of the
 * batch's keys. The keys are read once, in key order, into an array (the peek row's
 * included) and its slice of the batch; the update and the checkpoint are data-modifying
 * CTEs reading them, which PostgreSQL runs exactly once each, whether or not the final
 * {@code SELECT} reads them. All parts see one snapshot, and none sees the others'
 * changes: the update changes the migration's table, the checkpoint the tracking table,
 * and the keys are read before either. The final {@code SELECT} returns the keys read as
 * one array with the checkpoint's outcome, in one row.
 * <p>
 * An array rather than rows of keys: the batch's first and last key and its size are
 * subscripts of the array, not sorts and counts of a CTE's rows, and one row travels back
 * instead of one per key. Run alternately with the three-statement loop of the benchmark
 * (a read of 1,000 keys, an {@code UPDATE … WHERE id = ANY(?)} and the commit) over one
 * 300,000-row table, a batch took 12.8 ms where that loop took 14.0 ms and the earlier
 * form of this statement (rows of keys sorted three times) 14.6 ms.
 */
final class PostgresOneStatementBatch implements OneStatementBatch {

	/** The batch's keys, without the peek row. */
	private static final String BATCH_KEYS = "backfill_batch_keys";

	/**
	 * The update reads its keys from an array, as a hand-written {@code = ANY(?)} does: the
	 * table is read by one index scan of the sorted keys, where {@code IN (SELECT ...)} is
	 * planned as a hash of the keys probed in hash order (one probe, 120 batches of 1,000
	 * rows each way on a 1,000,000-row table: 11.9 against 17.6 ms a batch). The array is
	 * rebuilt from the CTE's with {@code unnest} because {@code ANY ((SELECT ...))} would
	 * be read as {@code ANY (sub-select)}. Keys are never NULL here (a NULL key fails the
	 * batch), so {@code = ANY} and {@code IN} mean the same.
	 */
	@Override
	public String inKeys() {
		return "= ANY (ARRAY(SELECT unnest(" + BATCH_KEYS + ") FROM backfill_read))";
	}

	@Override
	public String notInKeys() {
		return "<> ALL (ARRAY(SELECT unnest(" + BATCH_KEYS + ") FROM backfill_read))";
	}

	@Override
	public String firstKey() {
		return "(SELECT " + BATCH_KEYS + "[1] FROM backfill_read)";
	}

	@Override
	public String lastKey() {
		return "(SELECT " + BATCH_KEYS + "[cardinality(" + BATCH_KEYS + ")] FROM backfill_read)";
	}

	@Override
	public String lastKeyText() {
		return "CAST(" + lastKey() + " AS TEXT)";
	}

	@Override
	public String batchRows() {
		return "(SELECT cardinality(" + BATCH_KEYS + ") FROM backfill_read)";
	}

	@Override
	public String statement(String batchQuery, int batchSize, String update, String checkpoint) {
		// ARRAY(query) holds the query's rows in its order: the keys ascending.
		return "WITH backfill_read AS MATERIALIZED (SELECT " + KEY + ", " + KEY + "[1:" + batchSize + "] AS "
				+ BATCH_KEYS + " FROM (SELECT ARRAY(\n" + batchQuery + "\n) AS " + KEY
				+ ") backfill_all), backfill_update AS (\n" + update + "\n), backfill_checkpoint AS (" + checkpoint
				+ " RETURNING last_key) SELECT c." + SAVED + ", c." + SAVED_KEY + ", r." + KEY + " FROM (SELECT COUNT(*) AS "
				+ SAVED + ", MAX(last_key) AS " + SAVED_KEY + " FROM backfill_checkpoint) c CROSS JOIN backfill_read r";
	}

}
