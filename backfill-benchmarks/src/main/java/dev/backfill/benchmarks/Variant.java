package dev.backfill.benchmarks;

/**
 * One way of performing the benchmark backfill. Implementations report every committed
 * batch to the context's {@link BatchRecorder}.
 */
interface Variant {

	/**
	 * Short id, as in the issue: {@code 1} to {@code 6}, {@code 7a}, {@code 7b}.
	 * @return the id
	 */
	String id();

	/**
	 * What the variant does, for the report.
	 * @return the description
	 */
	String title();

	/**
	 * The id of the variant this one is compared with (its hand-written twin), or
	 * {@code null}.
	 * @return the twin's id
	 */
	String twin();

	/**
	 * The table size this variant runs on.
	 * @param options the options
	 * @return the number of rows
	 */
	int rows(BenchmarkOptions options);

	/**
	 * Resets what the variant keeps besides the table (tracking rows); not timed.
	 * @param jdbc operations on the benchmark schema
	 */
	default void prepare(org.springframework.jdbc.core.JdbcTemplate jdbc) {
	}

	/**
	 * Migrates every row of the context's table.
	 * @param context the table, DataSource and batch recorder
	 * @throws Exception on failure; the run is reported as failed
	 */
	void run(RunContext context) throws Exception;

}
