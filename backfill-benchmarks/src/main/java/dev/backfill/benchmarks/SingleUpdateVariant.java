package dev.backfill.benchmarks;

import java.sql.Connection;
import java.sql.Statement;

/** Variant 6, the floor: one set-based UPDATE over the whole table, autocommitted. */
final class SingleUpdateVariant implements Variant {

	@Override
	public String id() {
		return "6";
	}

	@Override
	public String title() {
		return "one UPDATE over the whole table (floor)";
	}

	@Override
	public String twin() {
		return null;
	}

	@Override
	public int rows(BenchmarkOptions options) {
		return options.rows();
	}

	@Override
	public void run(RunContext context) throws Exception {
		long started = System.nanoTime();
		try (Connection connection = context.dataSource().getConnection();
				Statement statement = connection.createStatement()) {
			int rows = statement.executeUpdate("UPDATE " + context.table() + " SET email_domain = "
					+ BenchTable.DOMAIN_SQL + " WHERE email_domain IS NULL");
			context.batches().batchDone(rows, System.nanoTime() - started);
		}
	}

}
