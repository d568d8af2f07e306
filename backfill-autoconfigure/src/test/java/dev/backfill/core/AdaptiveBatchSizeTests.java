package dev.backfill.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import dev.backfill.DataMigration;
import dev.backfill.DataMigrationException;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code backfill.batch-size-mode=adaptive}: batch sizes follow the measured batch time
 * towards the target within the minimum and maximum, the gauge shows the size in use, and
 * a batch cancelled by the statement timeout is tried again at half its size.
 */
class AdaptiveBatchSizeTests {

	/** A statement slower than any statement timeout here; on H2 a cross join of 10^8 rows. */
	private static String slowStatement(TestDatabase database) {
		return switch (database.name()) {
			case "PostgreSQL" -> "SELECT pg_sleep(5)";
			case "MariaDB" -> "SELECT SLEEP(5)";
			default -> "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 10000) a, SYSTEM_RANGE(1, 10000) b";
		};
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void batchSizeConvergesToTheSizeThatMeetsTheTargetWithinMinAndMax(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 3000);
			// Each row costs 1 ms, so 200 rows meet the 200 ms target (less the batch's own
			// round trips, a few ms); the first batch has 20 rows.
			SizedMigration migration = new SizedMigration("costly", (rows) -> sleep(rows.size()));
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("costly", migration),
					"backfill.batch-size-mode=adaptive", "backfill.target-batch-duration=200ms",
					"backfill.batch-size=20", "backfill.min-batch-size=10", "backfill.max-batch-size=5000",
					"backfill.throttle=0ms")) {
				List<Integer> sizes = migration.sizes();
				assertThat(sizes).hasSizeGreaterThan(16);
				// The size each batch was given (the last one reads only the rows left).
				assertThat(migration.gauges()).allSatisfy((size) -> assertThat(size).isBetween(10, 5000));
				assertThat(sizes.get(0)).isEqualTo(20);
				// Growing tenfold at most 1.5 times a batch takes 6 batches: batches 10 to 15
				// have converged; their median is robust to a batch slowed by a loaded machine.
				List<Integer> converged = new ArrayList<>(sizes.subList(9, 15));
				Collections.sort(converged);
				int median = (converged.get(2) + converged.get(3)) / 2;
				assertThat(median).as("median size of batches 10 to 15 in %s", sizes).isBetween(150, 250);
				assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(3000);
			}
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM items WHERE migrated <> 1", Integer.class)).isZero();
			assertThat(Tracking.row(jdbc, "costly").get("status")).isEqualTo("COMPLETED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void gaugeShowsTheBatchSizeInUse(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 400);
			SizedMigration adaptive = new SizedMigration("adaptive", (rows) -> sleep(rows.size() / 5));
			SizedMigration fixed = new SizedMigration("fixed", (rows) -> {
			});
			try (ConfigurableApplicationContext app = TestApps.run(schema,
					Map.of("adaptive", adaptive, "fixed", fixed), "backfill.batch-size=7", "backfill.throttle=0ms",
					"backfill.migrations.adaptive.batch-size-mode=adaptive",
					"backfill.migrations.adaptive.target-batch-duration=20ms",
					"backfill.migrations.adaptive.min-batch-size=5")) {
				assertThat(fixed.gauges()).containsOnly(7);
				// Every batch but the last (the rows left) has the size the gauge shows.
				List<Integer> sizes = adaptive.sizes();
				assertThat(sizes).hasSizeGreaterThan(3);
				assertThat(sizes.stream().distinct().count()).as("sizes %s", sizes).isGreaterThan(3);
				assertThat(adaptive.gauges().subList(0, sizes.size() - 1))
					.isEqualTo(sizes.subList(0, sizes.size() - 1));
				assertThat(gauge(app, "adaptive")).isEqualTo(adaptive.gauges().get(sizes.size() - 1));
				assertThat(gauge(app, "fixed")).isEqualTo(7);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void batchCancelledByTheStatementTimeoutIsSplitAndTheMigrationCompletesWithEachRowOnce(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 60);
			RecordingMigration migration = slowAbove16Rows(database);
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("split", migration),
					"backfill.batch-size-mode=adaptive", "backfill.batch-size=64", "backfill.min-batch-size=4",
					"backfill.statement-timeout=300ms", "backfill.retry.max-attempts=2",
					"backfill.retry.initial-backoff=10ms", "backfill.throttle=0ms")) {
				List<Integer> sizes = migration.batches().stream().map(List::size).toList();
				// All 60 rows (batch size 64) cancelled, 32 cancelled, 16 commit: more tries than
				// max-attempts (2), since a split is no failed attempt.
				assertThat(sizes).startsWith(60, 32, 16);
			}
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM items WHERE migrated <> 1", Integer.class)).isZero();
			assertThat(Tracking.row(jdbc, "split").get("status")).isEqualTo("COMPLETED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void fixedBatchSizeIsNotSplitOnAStatementTimeout(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 60);
			RecordingMigration migration = slowAbove16Rows(database);
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("split", migration), "backfill.batch-size=64",
						"backfill.statement-timeout=300ms", "backfill.retry.max-attempts=2",
						"backfill.retry.initial-backoff=10ms"))
				.withMessageContaining("Migration 'split' failed in batch 1 (keys 1 to 60) after 2 attempt(s)");
			assertThat(migration.batches()).extracting(List::size).containsExactly(60, 60);
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM items WHERE migrated <> 0", Integer.class)).isZero();
		}
	}

	/** Marks its rows migrated, then runs a statement slower than the timeout if it has more than 16. */
	private static RecordingMigration slowAbove16Rows(TestDatabase database) {
		String slow = slowStatement(database);
		return new RecordingMigration("SELECT id FROM items").onBatch((rows) -> {
			JdbcTemplate jdbc = TestApps.applicationJdbc();
			jdbc.batchUpdate("UPDATE items SET migrated = migrated + 1 WHERE id = ?",
					rows.stream().map((row) -> new Object[] { row.get("id") }).toList());
			if (rows.size() > 16) {
				jdbc.queryForList(slow);
			}
		});
	}

	private static int gauge(ConfigurableApplicationContext app, String migration) {
		return (int) app.getBean(MeterRegistry.class)
			.get(MicrometerMigrationListener.BATCH_SIZE)
			.tag("migration", migration)
			.gauge()
			.value();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Marks its rows migrated, records each batch's size and the gauge's value while it
	 * runs, then does its work.
	 */
	private static final class SizedMigration implements DataMigration {

		private final Consumer<List<Map<String, Object>>> work;

		private final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());

		private final List<Integer> gauges = Collections.synchronizedList(new ArrayList<>());

		private final String name;

		SizedMigration(String name, Consumer<List<Map<String, Object>>> work) {
			this.name = name;
			this.work = work;
		}

		@Override
		public String baseQuery() {
			return "SELECT id FROM items";
		}

		@Override
		public void migrate(List<Map<String, Object>> rows) {
			TestApps.applicationJdbc()
				.batchUpdate("UPDATE items SET migrated = migrated + 1 WHERE id = ?",
						rows.stream().map((row) -> new Object[] { row.get("id") }).toList());
			this.sizes.add(rows.size());
			this.gauges.add(gauge(TestApps.application(), this.name));
			this.work.accept(rows);
		}

		List<Integer> sizes() {
			synchronized (this.sizes) {
				return List.copyOf(this.sizes);
			}
		}

		List<Integer> gauges() {
			synchronized (this.gauges) {
				return List.copyOf(this.gauges);
			}
		}

	}

}
