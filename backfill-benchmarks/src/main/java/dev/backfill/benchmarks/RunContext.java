package dev.backfill.benchmarks;

import javax.sql.DataSource;

/**
 * What a variant runs against.
 *
 * @param dataSource the DataSource (counting, in the accounting pass)
 * @param table the benchmark table's name
 * @param rows rows in the table
 * @param batchSize rows per batch
 * @param batches receives every committed batch
 */
record RunContext(DataSource dataSource, String table, int rows, int batchSize, BatchRecorder batches) {

	/** The UPDATE of one row with a value computed in Java. */
	String updateOneSql() {
		return "UPDATE " + this.table + " SET email_domain = ? WHERE id = ?";
	}

	/** The UPDATE of a batch of ids with the value computed in SQL. */
	String updateManySql() {
		return "UPDATE " + this.table + " SET email_domain = " + BenchTable.DOMAIN_SQL + " WHERE id = ANY(?)";
	}

}
