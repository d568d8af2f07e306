package dev.backfill.benchmarks;

import java.util.Locale;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The benchmark table, {@code bench_users(id, email, email_domain, name, created_at)},
 * and the backfill every variant performs: set {@code email_domain} to the lower-cased
 * part of {@code email} after the {@code @}. The table is rebuilt identically from
 * {@code generate_series} before every run and vacuumed, so each run starts from the same
 * physical state; autovacuum is off on it so that it cannot start in the middle of a run.
 */
final class BenchTable {

	/** Table name, resolved in the benchmark schema. */
	static final String NAME = "bench_users";

	/** The value computed in SQL, as the set-based variants do. */
	static final String DOMAIN_SQL = "lower(split_part(email, '@', 2))";

	private BenchTable() {
	}

	/**
	 * The value computed in Java, as the per-row variants do.
	 * @param email an email address
	 * @return its domain, lower-cased
	 */
	static String domainOf(String email) {
		return email.substring(email.indexOf('@') + 1).toLowerCase(Locale.ROOT);
	}

	/** Drops and rebuilds the table with {@code rows} rows, then vacuums and analyzes it. */
	static void recreate(JdbcTemplate jdbc, String table, int rows) {
		jdbc.execute("DROP TABLE IF EXISTS " + table);
		jdbc.execute("CREATE TABLE " + table + " (id BIGINT NOT NULL, email TEXT NOT NULL, email_domain TEXT, "
				+ "name TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL) WITH (autovacuum_enabled = false)");
		jdbc.update("INSERT INTO " + table + " (id, email, name, created_at) SELECT i, 'user' || i || '@' || "
				+ "(ARRAY['Example.com', 'mail.EXAMPLE.org', 'corp.example.net', 'Inbox.example.io', "
				+ "'example.co.uk', 'EXAMPLE.de', 'post.example.fr', 'example.jp'])[1 + i % 8], "
				+ "'User number ' || i, TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 second' "
				+ "FROM generate_series(1, ?) AS i", rows);
		jdbc.execute("ALTER TABLE " + table + " ADD PRIMARY KEY (id)");
		jdbc.execute("VACUUM ANALYZE " + table);
	}

	/** Checks that every row was migrated, with the right value. */
	static Verification verify(JdbcTemplate jdbc, String table, int expectedRows) {
		Map<String, Object> counts = jdbc.queryForMap("SELECT count(*) AS total, "
				+ "count(*) FILTER (WHERE email_domain IS NULL) AS missing, "
				+ "count(*) FILTER (WHERE email_domain IS DISTINCT FROM " + DOMAIN_SQL + ") AS wrong FROM " + table);
		return new Verification(((Number) counts.get("total")).longValue(), expectedRows,
				((Number) counts.get("missing")).longValue(), ((Number) counts.get("wrong")).longValue());
	}

	/**
	 * The result of a check.
	 *
	 * @param rows rows in the table
	 * @param expectedRows rows the table was built with
	 * @param missing rows left with no value
	 * @param wrong rows whose value differs from the expected one
	 */
	record Verification(long rows, long expectedRows, long missing, long wrong) {

		boolean ok() {
			return this.rows == this.expectedRows && this.missing == 0 && this.wrong == 0;
		}

		String describe() {
			return ok() ? "OK" : "FAILED (" + this.rows + " of " + this.expectedRows + " rows, " + this.missing
					+ " unmigrated, " + this.wrong + " wrong)";
		}

	}

}
