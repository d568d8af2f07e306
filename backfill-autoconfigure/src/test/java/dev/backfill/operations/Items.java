package dev.backfill.operations;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.Tracking;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

import static org.assertj.core.api.Assertions.fail;

/** The {@code items} table of the operations tests: each committed batch adds one to its rows' {@code migrated}. */
final class Items {

	private Items() {
	}

	/** Adds one to {@code migrated} of a batch's rows, in the batch's transaction. */
	static void migrate(List<Map<String, Object>> rows) {
		long first = ((Number) rows.get(0).get("id")).longValue();
		long last = ((Number) rows.get(rows.size() - 1).get("id")).longValue();
		TestApps.applicationJdbc().update("UPDATE items SET migrated = migrated + 1 WHERE id BETWEEN ? AND ?", first,
				last);
	}

	/** How many rows have each value of {@code migrated}. */
	static Map<Integer, Integer> migratedCounts(JdbcTemplate jdbc) {
		Map<Integer, Integer> counts = new TreeMap<>();
		jdbc.query("SELECT migrated, COUNT(*) FROM items GROUP BY migrated",
				(RowCallbackHandler) (rs) -> counts.put(rs.getInt(1), rs.getInt(2)));
		return counts;
	}

	/** Rows up to {@code lastKey} migrated once, the others not at all: how many are not. */
	static int rowsOffCheckpoint(JdbcTemplate jdbc, long lastKey) {
		return jdbc.queryForObject("SELECT COUNT(*) FROM items WHERE (id <= ? AND migrated <> 1) "
				+ "OR (id > ? AND migrated <> 0)", Integer.class, lastKey, lastKey);
	}

	/** Waits for a migration to reach a status. */
	static void awaitStatus(JdbcTemplate jdbc, String migration, String status, String what) {
		await(what, Duration.ofSeconds(60), () -> status.equals(Tracking.status(jdbc, migration)));
	}

	static void await(String what, Duration timeout, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				fail("Timed out after %s waiting for %s", timeout, what);
			}
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
	}

}
