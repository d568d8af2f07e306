package dev.backfill.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import org.springframework.jdbc.core.JdbcTemplate;

/** Creates and fills tables for tests, portably across H2, PostgreSQL and MariaDB. */
public final class TestTables {

	private TestTables() {
	}

	/**
	 * Creates {@code items(id BIGINT PRIMARY KEY, val INT, migrated INT)} with ids 1..rows,
	 * {@code val = id % 10} and {@code migrated = 0}.
	 */
	public static void createItems(JdbcTemplate jdbc, int rows) {
		jdbc.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, val INT NOT NULL, migrated INT NOT NULL)");
		insert(jdbc, "INSERT INTO items (id, val, migrated) VALUES (?, ?, 0)", rows,
				(i) -> new Object[] { (long) i, i % 10 });
	}

	/**
	 * Inserts rows 1..count in JDBC batches of 1,000.
	 * @param jdbc the operations
	 * @param sql the insert
	 * @param count how many rows
	 * @param args the arguments of row i (1-based)
	 */
	public static void insert(JdbcTemplate jdbc, String sql, int count, IntFunction<Object[]> args) {
		List<Object[]> batch = new ArrayList<>();
		for (int i = 1; i <= count; i++) {
			batch.add(args.apply(i));
			if (batch.size() == 1000 || i == count) {
				jdbc.batchUpdate(sql, batch);
				batch.clear();
			}
		}
	}

}
