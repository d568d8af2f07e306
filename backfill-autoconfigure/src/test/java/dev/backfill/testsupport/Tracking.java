package dev.backfill.testsupport;

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

	public static Map<String, Object> row(JdbcTemplate jdbc, String table, String migration) {
		return jdbc.queryForMap("SELECT * FROM " + table + " WHERE name = ?", migration);
	}

}
