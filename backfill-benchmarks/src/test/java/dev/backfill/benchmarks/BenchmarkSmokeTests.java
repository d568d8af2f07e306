package dev.backfill.benchmarks;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the whole benchmark once at a tiny size, so that the harness keeps compiling and
 * working: every variant, the statement counting, the peak-heap child JVMs and the
 * startup-time child JVMs. Nothing is timed or compared; it only checks that every
 * variant migrated every row correctly. Uses {@code BACKFILL_BENCH_URL} or
 * {@code BACKFILL_TEST_POSTGRES_URL} when set (as CI does), else embedded PostgreSQL.
 */
class BenchmarkSmokeTests {

	@Test
	void everyVariantIsVerifiedAtATinySize(@TempDir Path dir) throws Exception {
		// A schema of this run's own: two builds on one server must not drop each other's tables.
		String schema = "backfill_bench_smoke_" + Long.toHexString(System.nanoTime() ^ ProcessHandle.current().pid());
		BenchmarkOptions options = BenchmarkOptions.parse("--rows", "2000", "--rounds", "1", "--warmup-rows", "2000",
				"--offset-rows", "500,1000", "--heap-rows", "1000,2000", "--startup-runs", "1", "--schema", schema,
				"--out", dir.resolve("report.md").toString());
		BenchmarkReport report;
		try {
			report = new BenchmarkHarness(options, System.out).run();
		}
		catch (Exception ex) {
			try {
				dropSchema(options);
			}
			catch (SQLException dropFailure) {
				ex.addSuppressed(dropFailure);
			}
			throw ex;
		}
		dropSchema(options);
		report.write(options.out());

		assertThat(report.failures()).isEmpty();
		assertThat(report.runs()).extracting(BenchmarkReport.VariantRun::id)
			.containsExactly("1", "2", "3", "4", "4b", "5", "6", "7a", "7b", "8", "8b", "9a", "9b", "9c", "10", "10f", "11");
		assertThat(report.runs()).allMatch(BenchmarkReport.VariantRun::ok);
		String markdown = report.toMarkdown();
		assertThat(markdown).contains("### Targets", "startup overhead", "live heap at 2,000 rows",
				"variant 8 (SqlMigration, one thread) ≥ 1.0× variant 4",
				"parallel SqlMigration (best of 9a and 9b) ≥ 1.0× variant 6", "variant 10: median batch within 25% of its target",
				"### Adaptive batch size (variants 10 and 10f)", "Chunk claims of the runs in parallel chunks");
		// Parallelism 2 and 4 split into 8 and 16 chunks, each claimed once at least; a run without chunks claims none.
		assertThat(report.accounting().get("9a").claims().claims()).isGreaterThanOrEqualTo(8);
		assertThat(report.accounting().get("9b").claims().claims()).isGreaterThanOrEqualTo(16);
		assertThat(report.accounting().get("9b").claims().statementsPerClaim()).isBetween(3.0, 5.0);
		assertThat(report.accounting().get("8").claims()).isNull();
	}

	private static void dropSchema(BenchmarkOptions options) throws SQLException {
		if (options.url() == null) {
			return; // embedded PostgreSQL, gone with the run
		}
		try (Connection connection = DriverManager.getConnection(options.url(), options.username(),
				options.password()); Statement statement = connection.createStatement()) {
			statement.execute("DROP SCHEMA IF EXISTS " + options.schema() + " CASCADE");
		}
	}

}
