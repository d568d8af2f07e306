package dev.backfill.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import dev.backfill.BackfillOperations;
import dev.backfill.BackfillThrottle;
import dev.backfill.DataMigrationConfig;
import dev.backfill.RowEstimate;
import dev.backfill.ThrottleDecision;
import dev.backfill.internal.progress.Progress;
import dev.backfill.testsupport.Latches;
import dev.backfill.testsupport.ProgressLines;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The estimated total, the rate and the time left: the estimate stored in the tracking
 * row by count and by statistics, an ETA that matches the real remaining time of a steady
 * migration and is not diluted by a throttle wait or a pause, and the progress log line.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProgressAndEtaTests {

	/**
	 * Long enough that the database's own time per batch is small beside it on a loaded box,
	 * and that the 16 batches after a sample outlast a stall of the machine: at 100 ms, one
	 * stall of 0.7 s in a CI run brought an ETA to 0.70 of the real time left.
	 */
	private static final long MILLIS_PER_BATCH = 200;

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void countedEstimateIsTheRowsOfTheBaseQueryAndAResumedRunCountsOnlyAfterItsCheckpoint(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			String baseQuery = "SELECT id FROM items WHERE val < 5";
			try (ConfigurableApplicationContext app = TestApps.run(schema,
					Map.of("items", new RecordingMigration(baseQuery)), "backfill.batch-size=50", "backfill.throttle=0")) {
				assertThat(Tracking.row(schema.jdbc(), "items").get("estimated_total")).as("fresh run")
					.isEqualTo(150L);
			}
			schema.jdbc().update("DELETE FROM backfill_migrations");
			// The first run fails in its second batch, leaving 50 rows done.
			catchThrowable(() -> TestApps.run(schema, Map.of("items", new RecordingMigration(baseQuery).failAtBatch(2)),
					"backfill.batch-size=50", "backfill.throttle=0").close());
			assertThat(Tracking.row(schema.jdbc(), "items").get("rows_processed")).isEqualTo(50L);
			try (ConfigurableApplicationContext app = TestApps.run(schema,
					Map.of("items", new RecordingMigration(baseQuery)), "backfill.batch-size=50", "backfill.throttle=0")) {
				Map<String, Object> row = Tracking.row(schema.jdbc(), "items");
				assertThat(row.get("status")).isEqualTo("COMPLETED");
				// 50 done + 100 after the checkpoint; counting the whole base query would say 200.
				assertThat(row.get("estimated_total")).as("resumed run").isEqualTo(150L);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void statisticsEstimateIsWithinAFactorOfTwoAndAHalfOfTheRealCountAfterAnalyze(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 20_000);
			analyze(schema);
			RecordingMigration migration = new RecordingMigration("SELECT id, val FROM items WHERE val < 5",
					DataMigrationConfig.builder().estimate(RowEstimate.STATISTICS).build());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("items", migration),
					"backfill.batch-size=5000", "backfill.throttle=0")) {
				long estimate = (Long) Tracking.row(schema.jdbc(), "items").get("estimated_total");
				System.out.println("statistics estimate on " + database + ": " + estimate + " of 10000 rows");
				if (database.name().equals("H2")) {
					assertThat(estimate).as("H2 has no estimate: it counts").isEqualTo(10_000);
				}
				else {
					assertThat(estimate).isBetween(4_000L, 25_000L);
				}
			}
		}
	}

	@Test
	void statisticsEstimateOnPostgresIsThePlannersWhichDoesNotKnowOfRowsDeletedSinceAnalyze() {
		try (TestSchema schema = TestDatabases.postgres().createSchema()) {
			TestTables.createItems(schema.jdbc(), 20_000);
			schema.jdbc().execute("ALTER TABLE items SET (autovacuum_enabled = false)");
			analyze(schema);
			schema.jdbc().update("DELETE FROM items WHERE id > 10000");
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().estimate(RowEstimate.STATISTICS).batchSize(5000).build());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("items", migration),
					"backfill.throttle=0")) {
				// A count would say 10,000; the planner still sees the pages of 20,000.
				assertThat((Long) Tracking.row(schema.jdbc(), "items").get("estimated_total")).isGreaterThan(15_000L);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void etaOfASteadyMigrationIsWithinAQuarterOfTheRealRemainingTime(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			Sample sample = new Sample(schema.jdbc(), 15);
			// The first checkpoint already carries a rate: its own batch's.
			Sample first = new Sample(schema.jdbc(), 2);
			RecordingMigration migration = steady(sample, first::takeAt);
			long ended;
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("items", migration),
					"backfill.batch-size=10", "backfill.throttle=0")) {
				ended = System.nanoTime();
			}
			assertThat(first.rowsPerSecond).as("rows_per_second of the first checkpoint").isPositive();
			assertEtaWithinAQuarter(sample, ended);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void throttleWaitLeavesTheRateAndEtaUnchangedAndIsRecordedWithItsReason(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			Sample after = new Sample(schema.jdbc(), 15);
			AtomicInteger waits = new AtomicInteger();
			// Before batch 10, once: wait 3 s, more than the ten batches of the rate's window.
			BackfillThrottle busy = (context) -> (context.recentBatchDurations().size() == 9
					&& waits.getAndIncrement() == 0) ? ThrottleDecision.waitFor(Duration.ofMillis(3000), "busy")
							: ThrottleDecision.go();
			AtomicReference<Object> reasonAfterBatch10 = new AtomicReference<>();
			AtomicReference<Object> reasonAfterBatch11 = new AtomicReference<>();
			RecordingMigration migration = steady(null, (batch) -> {
				after.takeAt(batch);
				if (batch == 11) {
					reasonAfterBatch10.set(Tracking.row(schema.jdbc(), "items").get("throttle_reason"));
				}
				if (batch == 12) {
					reasonAfterBatch11.set(Tracking.row(schema.jdbc(), "items").get("throttle_reason"));
				}
			});
			long ended;
			try (ConfigurableApplicationContext app = TestApps
				.builder(schema, Map.of("items", migration), "backfill.batch-size=10", "backfill.throttle=0")
				.initializers((context) -> context.getBeanFactory().registerSingleton("busyThrottle", busy))
				.run()) {
				ended = System.nanoTime();
			}
			Map<String, Object> row = Tracking.row(schema.jdbc(), "items");
			// At batch 15 the window (batches 5 to 14) holds the wait; at the end (21 to 30) nothing
			// but work: had the wait counted, the first would be about 0.4 of the second.
			double last = ((Number) row.get("rows_per_second")).doubleValue();
			double ratio = after.rowsPerSecond / last;
			System.out.printf("%s: rows/s with the wait in the window %.0f, at the end %.0f (ratio %.2f)%n", database,
					after.rowsPerSecond, last, ratio);
			// Two windows of 2 s: a stall of the machine in either moves the ratio by a quarter.
			assertThat(ratio).as("rate with the wait in its window / rate at the end").isBetween(0.7, 1.3);
			assertEtaWithinAQuarter(after, ended);
			assertThat(((Number) row.get("throttled_millis")).longValue()).isGreaterThanOrEqualTo(3000);
			assertThat(reasonAfterBatch10.get()).as("throttle_reason of the batch the throttle held").isEqualTo("busy");
			assertThat(reasonAfterBatch11.get()).as("throttle_reason of the next batch").isNull();
			assertThat(row.get("throttle_reason")).isNull();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void pauseLeavesTheRateAndEtaOfTheResumedRunUndiluted(TestDatabase database) throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 300);
			// Calls of migrate: 1 to 9, 10 refused by the pause, then batches 10 to 30 as calls
			// 11 to 31. At call 18 the resumed run's window holds batches 10 to 16: seven, so that
			// the resumed run's start (lease, estimate, checks) in its first is a small share.
			Sample resumed = new Sample(jdbc, 18);
			CountDownLatch inBatch10 = new CountDownLatch(1);
			CountDownLatch paused = new CountDownLatch(1);
			RecordingMigration migration = steady(resumed, (batch) -> {
				if (batch == 10) {
					inBatch10.countDown();
					Latches.await(paused);
				}
			});
			long ended;
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("items", migration),
					"backfill.mode=background", "backfill.batch-size=10", "backfill.throttle=0",
					"backfill.lease-duration=2s")) {
				BackfillOperations operations = app.getBean(BackfillOperations.class);
				assertThat(inBatch10.await(60, TimeUnit.SECONDS)).isTrue();
				// The checkpoint of batch 9: the rate of batches 1 to 9.
				double before = operations.migration("items").orElseThrow().rowsPerSecond();
				operations.pause("items", "operator");
				paused.countDown();
				awaitUntil(() -> Tracking.row(jdbc, "items").get("lease_owner") == null);
				// Paused 1.5 s: had it counted, batches 10 to 16 would show about half the rate.
				Thread.sleep(1_500);
				operations.resume("items");
				awaitUntil(() -> "COMPLETED".equals(Tracking.status(jdbc, "items")));
				ended = System.nanoTime();
				double ratio = resumed.rowsPerSecond / before;
				System.out.printf("%s: rows/s before the pause %.0f, after the resume %.0f (ratio %.2f)%n", database,
						before, resumed.rowsPerSecond, ratio);
				// A pause counted as time working would bring the ratio to about half. Above 1 it is noise
				// of the machine: the earlier rate holds the run's first batches, slower before the JIT
				// warms up (1.28 seen once on a loaded machine).
				assertThat(ratio).as("rate after the resume / rate before the pause").isBetween(0.75, 1.5);
			}
			assertThat(migration.batches()).hasSize(31);
			assertEtaWithinAQuarter(resumed, ended);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void progressLineIsLoggedEveryIntervalWithPercentRowsRateAndEta(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			long started = System.nanoTime();
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("items", steady(null, null)),
					"backfill.batch-size=10", "backfill.throttle=0", "backfill.progress-log-interval=500ms")) {
				// 30 batches of at least 200 ms: 6 s or more, a line every third batch (600 ms): 10 lines.
			}
			long intervals = (System.nanoTime() - started) / 500_000_000L;
			List<ProgressLines.Line> lines = ProgressLines.of(output.getOut(), "items", 300);
			assertThat(lines).allSatisfy((line) -> {
				assertThat(line.rows() % 10).as("whole batches").isZero();
				// 99.9 at most until the migration completes.
				assertThat(line.percent()).isCloseTo(Math.min(99.9, 100.0 * line.rows() / 300), Offset.offset(0.05));
				// 10 rows per batch of at least 200 ms: at most 50 rows/s.
				assertThat(line.rowsPerSecond()).isBetween(10L, 50L);
			});
			// One line per interval at most (the application's start is in the measured time too).
			assertThat(lines).as("progress lines in:%n%s", output.getOut()).hasSizeBetween(8, (int) intervals);
		}
	}

	private static void analyze(TestSchema schema) {
		switch (schema.databaseName()) {
			case "PostgreSQL" -> schema.jdbc().execute("ANALYZE items");
			case "MariaDB" -> schema.jdbc().queryForList("ANALYZE TABLE items");
			default -> schema.jdbc().execute("ANALYZE");
		}
	}

	/** A migration taking {@link #MILLIS_PER_BATCH} per batch, telling the batch's number first. */
	private static RecordingMigration steady(Sample sample, java.util.function.IntConsumer atBatch) {
		RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
		migration.onBatch((rows) -> {
			int batch = migration.batches().size();
			if (sample != null) {
				sample.takeAt(batch);
			}
			if (atBatch != null) {
				atBatch.accept(batch);
			}
			try {
				Thread.sleep(MILLIS_PER_BATCH);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		return migration;
	}

	/** Polls until the condition holds; the test's timeout bounds it. */
	private static void awaitUntil(BooleanSupplier condition) throws InterruptedException {
		while (!condition.getAsBoolean()) {
			Thread.sleep(10);
		}
	}

	private static void assertEtaWithinAQuarter(Sample sample, long endedNanos) {
		double real = (endedNanos - sample.takenNanos) / 1e6;
		double ratio = sample.eta.toMillis() / real;
		System.out.printf("ETA %d ms, real remaining %.0f ms (ratio %.2f)%n", sample.eta.toMillis(), real, ratio);
		assertThat(ratio).as("ETA / real remaining time").isBetween(0.75, 1.25);
	}

	/** The tracking row's figures, read from another connection when a given batch starts. */
	private static final class Sample {

		private final JdbcTemplate jdbc;

		private final int atBatch;

		private volatile long takenNanos;

		private volatile double rowsPerSecond;

		private volatile Duration eta;

		Sample(JdbcTemplate jdbc, int atBatch) {
			this.jdbc = jdbc;
			this.atBatch = atBatch;
		}

		void takeAt(int batch) {
			if (batch != this.atBatch) {
				return;
			}
			Map<String, Object> row = Tracking.row(this.jdbc, "items");
			this.takenNanos = System.nanoTime();
			this.rowsPerSecond = ((Number) row.get("rows_per_second")).doubleValue();
			this.eta = new Progress(((Number) row.get("rows_processed")).longValue(),
					((Number) row.get("estimated_total")).longValue(), this.rowsPerSecond, false).eta();
		}

	}

}
