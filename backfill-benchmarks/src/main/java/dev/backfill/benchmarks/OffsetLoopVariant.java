package dev.backfill.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Variant 7: the common naive loop, {@code ORDER BY id LIMIT n OFFSET k}, otherwise as
 * variant 3 (per-row JDBC batch, one transaction per batch). It cannot filter on
 * {@code email_domain IS NULL}, since the rows it updates would drop out of the filter
 * and shift the offsets, so it pages through the whole table; each page first skips all
 * rows before it, so a batch costs more the further it is, and the run grows
 * quadratically with the table.
 */
final class OffsetLoopVariant implements Variant {

	private final String id;

	private final int index;

	OffsetLoopVariant(String id, int index) {
		this.id = id;
		this.index = index;
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public String title() {
		return "OFFSET-paginated loop, per-row JDBC batch";
	}

	@Override
	public String twin() {
		return "3";
	}

	@Override
	public int rows(BenchmarkOptions options) {
		return options.offsetRows().get(this.index);
	}

	@Override
	public void run(RunContext context) throws Exception {
		int batchSize = context.batchSize();
		String select = "SELECT id, email FROM " + context.table() + " ORDER BY id LIMIT " + batchSize + " OFFSET ?";
		try (Connection connection = context.dataSource().getConnection()) {
			connection.setAutoCommit(false);
			try (PreparedStatement read = connection.prepareStatement(select);
					PreparedStatement write = connection.prepareStatement(context.updateOneSql())) {
				long offset = 0;
				int count;
				do {
					long started = System.nanoTime();
					read.setLong(1, offset);
					count = 0;
					try (ResultSet rs = read.executeQuery()) {
						while (rs.next()) {
							write.setString(1, BenchTable.domainOf(rs.getString(2)));
							write.setLong(2, rs.getLong(1));
							write.addBatch();
							count++;
						}
					}
					if (count > 0) {
						write.executeBatch();
					}
					connection.commit();
					offset += count;
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
