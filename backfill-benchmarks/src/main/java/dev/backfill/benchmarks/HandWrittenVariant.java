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
 * <p>
 * Variant 4b, a diagnostic, is variant 4 plus the same two bookkeeping statements per
 * batch as the starter on PostgreSQL, in the batch's transaction: the {@code set_config}
 * of the idle-transaction guard first, the conditional checkpoint {@code UPDATE} of a
 * tracking row last. Variant 2 against 4b is the cost of the runner's Java code alone; 4b
 * against 4 is the cost of the two statements.
 */
final class HandWrittenVariant implements Variant {

	private static final String TRACKING_ROW = "hand_written";

	private final boolean setBased;

	private final boolean bookkeeping;

	HandWrittenVariant(boolean setBased) {
		this(setBased, false);
	}

	HandWrittenVariant(boolean setBased, boolean bookkeeping) {
		this.setBased = setBased;
		this.bookkeeping = bookkeeping;
	}

	@Override
	public String id() {
		return (this.setBased ? "4" : "3") + (this.bookkeeping ? "b" : "");
	}

	@Override
	public String title() {
		if (this.bookkeeping) {
			return "diagnostic: 4 + two bookkeeping statements per batch (set_config + checkpoint)";
		}
		return this.setBased ? "hand-written keyset loop, set-based (as 2)"
				: "hand-written keyset loop, per-row JDBC batch (as 1)";
	}

	@Override
	public String twin() {
		return this.bookkeeping ? (this.setBased ? "4" : "3") : null;
	}

	@Override
	public void prepare(org.springframework.jdbc.core.JdbcTemplate jdbc) {
		if (this.bookkeeping) {
			jdbc.update("DELETE FROM " + StarterVariant.TRACKING_TABLE + " WHERE name = ?", TRACKING_ROW);
			jdbc.update("INSERT INTO " + StarterVariant.TRACKING_TABLE + " (name, status, rows_processed, batches, "
					+ "lease_owner) VALUES (?, 'RUNNING', 0, 0, 'bench')", TRACKING_ROW);
		}
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
					PreparedStatement write = connection.prepareStatement(update);
					PreparedStatement limits = connection
						.prepareStatement("SELECT set_config('idle_in_transaction_session_timeout', ?, true)");
					PreparedStatement checkpoint = connection.prepareStatement("UPDATE "
							+ StarterVariant.TRACKING_TABLE + " SET last_key = ?, rows_processed = ?, batches = ?, "
							+ "updated_at = statement_timestamp(), lease_expires_at = statement_timestamp() + "
							+ "INTERVAL '1 minute' WHERE name = ? AND lease_owner = 'bench' AND batches = ?")) {
				long lastKey = Long.MIN_VALUE;
				long[] ids = new long[batchSize];
				long rows = 0;
				long batches = 0;
				int count;
				do {
					long started = System.nanoTime();
					if (this.bookkeeping) {
						limits.setString(1, "60000");
						limits.executeQuery().close();
					}
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
					if (this.bookkeeping) {
						rows += count;
						checkpoint.setString(1, Long.toString(lastKey));
						checkpoint.setLong(2, rows);
						checkpoint.setLong(3, batches + 1);
						checkpoint.setString(4, TRACKING_ROW);
						checkpoint.setLong(5, batches);
						if (checkpoint.executeUpdate() != 1) {
							throw new IllegalStateException("Checkpoint not saved");
						}
						batches++;
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
