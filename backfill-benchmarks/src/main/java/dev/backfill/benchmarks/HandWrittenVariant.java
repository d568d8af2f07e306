package dev.backfill.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Arrays;

/**
 * Variants 3 and 4: a careful hand-written keyset loop in plain JDBC doing exactly the
 * user's work of variants 1 and 2 and nothing else: one connection held for the whole
 * run, statements prepared once, the limit a literal, one transaction per batch (select,
 * update, commit), and no progress record.
 */
final class HandWrittenVariant implements Variant {

	private final boolean setBased;

	HandWrittenVariant(boolean setBased) {
		this.setBased = setBased;
	}

	@Override
	public String id() {
		return this.setBased ? "4" : "3";
	}

	@Override
	public String title() {
		return this.setBased ? "hand-written keyset loop, set-based (as 2)"
				: "hand-written keyset loop, per-row JDBC batch (as 1)";
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
		int batchSize = context.batchSize();
		String columns = this.setBased ? "id" : "id, email";
		String select = "SELECT " + columns + " FROM " + context.table()
				+ " WHERE email_domain IS NULL AND id > ? ORDER BY id LIMIT " + batchSize;
		String update = this.setBased ? context.updateManySql() : context.updateOneSql();
		try (Connection connection = context.dataSource().getConnection()) {
			connection.setAutoCommit(false);
			try (PreparedStatement read = connection.prepareStatement(select);
					PreparedStatement write = connection.prepareStatement(update)) {
				long lastKey = Long.MIN_VALUE;
				long[] ids = new long[batchSize];
				int count;
				do {
					long started = System.nanoTime();
					read.setLong(1, lastKey);
					count = 0;
					try (ResultSet rs = read.executeQuery()) {
						while (rs.next()) {
							long id = rs.getLong(1);
							if (this.setBased) {
								ids[count] = id;
							}
							else {
								write.setString(1, BenchTable.domainOf(rs.getString(2)));
								write.setLong(2, id);
								write.addBatch();
							}
							lastKey = id;
							count++;
						}
					}
					if (count > 0) {
						if (this.setBased) {
							write.setObject(1, (count == batchSize) ? ids : Arrays.copyOf(ids, count));
							write.executeUpdate();
						}
						else {
							write.executeBatch();
						}
					}
					connection.commit();
					context.batches().batchDone(count, System.nanoTime() - started);
				}
				while (count == batchSize);
			}
			finally {
				connection.setAutoCommit(true);
			}
		}
	}

}
