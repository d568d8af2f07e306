package dev.backfill.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.backfill.benchmarks.BenchmarkReport.Startup;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Startup time of {@link StartupApp} with the starter and its one migration already
 * completed, against the same app without backfill-autoconfigure on the class path (and
 * without, but running one query at startup): one preparation start that runs the
 * migration to completion, then each mode once per round, in an order that turns every
 * round, each start a new JVM.
 */
final class StartupMeasurement {

	static final List<String> MODES = List.of("with", "without", "without-db");

	private static final String MIGRATION = "startupEmailDomain";

	private final BenchmarkDatabase db;

	private final int runs;

	private final PrintStream log;

	StartupMeasurement(BenchmarkDatabase db, int runs, PrintStream log) {
		this.db = db;
		this.runs = runs;
		this.log = log;
	}

	Startup run() {
		JdbcTemplate jdbc = this.db.jdbc();
		String table = StartupMigrationConfig.TABLE;
		jdbc.execute("DROP TABLE IF EXISTS " + table);
		jdbc.execute("CREATE TABLE " + table + " (id BIGINT PRIMARY KEY, email TEXT NOT NULL, email_domain TEXT)");
		jdbc.update("INSERT INTO " + table + " (id, email) SELECT i, 'user' || i || '@Example.com' "
				+ "FROM generate_series(1, 100) AS i");
		jdbc.update("DELETE FROM " + StarterVariant.TRACKING_TABLE + " WHERE name = ?", MIGRATION);
		Map<String, List<Long>> millis = new LinkedHashMap<>();
		MODES.forEach((mode) -> millis.put(mode, new ArrayList<>()));
		try {
			start("with");
			String status = jdbc.queryForObject(
					"SELECT status FROM " + StarterVariant.TRACKING_TABLE + " WHERE name = ?", String.class,
					MIGRATION);
			if (!"COMPLETED".equals(status)) {
				throw new IllegalStateException("The preparation start left the migration " + status);
			}
			for (int round = 0; round < this.runs; round++) {
				// The order turns each round, so that no mode always starts first or last.
				List<String> order = new ArrayList<>(MODES);
				java.util.Collections.rotate(order, round);
				for (String mode : order) {
					long ms = start(mode);
					millis.get(mode).add(ms);
					this.log.printf("startup %-10s %5d ms%n", mode, ms);
				}
			}
			return new Startup(millis, null);
		}
		catch (Exception ex) {
			return new Startup(millis, BenchmarkHarness.describe(ex));
		}
	}

	private long start(String mode) throws Exception {
		Map<String, String> result = ChildJvm.run(StartupApp.class, List.of(),
				List.of(mode, "--spring.datasource.url=" + this.db.schemaUrl(),
						"--spring.datasource.username=" + this.db.username(),
						"--spring.datasource.password=" + this.db.password()),
				!mode.equals("with"));
		boolean backfill = Boolean.parseBoolean(result.get("backfill"));
		if (backfill != mode.equals("with")) {
			throw new IllegalStateException("Startup app in mode " + mode + " had backfill: " + backfill);
		}
		return Long.parseLong(result.get("ms"));
	}

}
