package dev.backfill;

/**
 * How a migration's estimated total is taken when a run starts
 * ({@code backfill.estimate}, {@code backfill.migrations.<name>.estimate}): the rows done
 * so far plus the rows of the base query after the checkpoint.
 *
 * @since 0.1.0
 */
public enum RowEstimate {

	/**
	 * A {@code COUNT(*)} over the base query after the checkpoint: exact when the run
	 * starts, but it reads every row still to migrate, once.
	 */
	COUNT,

	/**
	 * The database's own row estimate of the base query after the checkpoint, from its
	 * statistics, which costs no scan: the planner's estimate of {@code EXPLAIN (FORMAT JSON)}
	 * on PostgreSQL, the row estimate of {@code EXPLAIN} on MariaDB and MySQL. H2 has none:
	 * there it counts.
	 */
	STATISTICS

}
