package dev.backfill.testsupport;

import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;

/** Reads the tracking table in tests. */
public final class Tracking {

	private Tracking() {
	}

	/** The tracking row of a migration, with lower-case column names. */
	public static Map<String, Object> row(JdbcTemplate jdbc, String migration) {
		return row(jdbc, "backfill_migrations", migration);
	}

	/** A migration's status, or {@code null} before its tracking row exists. */
	public static String status(JdbcTemplate jdbc, String migration) {
		List<String> statuses = jdbc.queryForList("SELECT status FROM backfill_migrations WHERE name = ?",
				String.class, migration);
		return statuses.isEmpty() ? null : statuses.get(0);
	}

	public static Map<String, Object> row(JdbcTemplate jdbc, String table, String migration) {
		return jdbc.queryForMap("SELECT * FROM " + table + " WHERE name = ?", migration);
	}

}
