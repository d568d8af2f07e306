package dev.backfill.chunks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.backfill.BackfillOperations;
import dev.backfill.BackfillThrottle;
import dev.backfill.DataMigrationConfig;
import dev.backfill.MigrationInfo;
import dev.backfill.RowEstimate;
import dev.backfill.ThrottleDecision;
import dev.backfill.actuate.BackfillsEndpoint;
import dev.backfill.autoconfigure.BackfillApplicationRunner;
import dev.backfill.metrics.BackfillGauges;
import dev.backfill.testsupport.Latches;
import dev.backfill.testsupport.ProgressLines;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import io.micrometer.core.instrument.MeterRegistry;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
 * Progress of a migration run in chunks: the estimated total taken when it is split (by
 * count or statistics) and kept when its chunks start again, a rate that adds up the
 * workers' and that a throttle wait does not dilute, percent and ETA in the operations
 * API, the endpoint and the gauge, and the progress line.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ChunkProgressAndEtaTests {

	/** Half of the {@code items} table: 1,000 of 2,000 rows. */
	private static final String BASE_QUERY = "SELECT id FROM items WHERE val < 5";

	private static final String HELD_CHUNKS = "SELECT rows_processed, rows_per_second, lease_owner, status FROM "
			+ "backfill_migrations_chunks WHERE migration = 'items'";

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void whileItsWorkersRunAChunkMigrationShowsItsEstimatedTotalPercentTheWorkersRateAddedUpAndAnEta(
			TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 2000);
			// Calls 21 and 22, one per worker, wait until the figures are read.
			Gate gate = new Gate(20, 2);
			RecordingMigration migration = paced(50, gate, null);
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("items", migration),
					"backfill.mode=background", "backfill.parallelism=2", "backfill.batch-size=10",
					"backfill.throttle=0", "management.endpoints.web.exposure.include=backfills")) {
				gate.awaitHeld();
				MigrationInfo info = app.getBean(BackfillOperations.class).migration("items").orElseThrow();
				BackfillsEndpoint.MigrationDescriptor endpoint = app.getBean(BackfillsEndpoint.class)
					.migration("items");
				double gauge = app.getBean(MeterRegistry.class)
					.get(BackfillGauges.PROGRESS)
					.tag("migration", "items")
					.gauge()
					.value();
				Object estimated = Tracking.row(jdbc, "items").get("estimated_total");
				List<Map<String, Object>> chunks = jdbc.queryForList(HELD_CHUNKS);
				long read = System.nanoTime();
				gate.release();

				assertThat(estimated).as("estimated_total of the tracking row").isEqualTo(1000L);
				long chunkRows = chunks.stream().mapToLong((chunk) -> number(chunk, "rows_processed").longValue()).sum();
				List<Map<String, Object>> held = chunks.stream()
					.filter((chunk) -> "RUNNING".equals(chunk.get("status")) && chunk.get("lease_owner") != null)
					.toList();
				assertThat(held).as("chunks held, one per worker").hasSize(2);
				assertThat(held).allSatisfy((chunk) -> assertThat(chunk.get("rows_per_second")).isNotNull());
				double chunkRate = held.stream().mapToDouble((chunk) -> number(chunk, "rows_per_second").doubleValue())
					.sum();
				System.out.printf("%s: %d of 1000 rows, %.0f rows/s, ETA %s%n", database, info.rowsProcessed(),
						info.rowsPerSecond(), info.eta());
				assertThat(info.estimatedTotal()).isEqualTo(1000L);
				// 20 batches committed, all of 10 rows unless a worker reached the end of a chunk.
				assertThat(info.rowsProcessed()).isEqualTo(chunkRows).isBetween(150L, 200L);
				assertThat(info.percent()).isCloseTo(100.0 * chunkRows / 1000, Offset.offset(1e-9));
				assertThat(info.rowsPerSecond()).as("the running chunks' rates added up")
					.isCloseTo(chunkRate, Offset.offset(1e-6));
				// Each worker's batch takes at least 50 ms for its 10 rows: 200 rows/s at most each.
				assertThat(info.rowsPerSecond()).isBetween(20.0, 400.0);
				assertThat(info.eta()).isEqualTo(Duration.ofMillis(Math.round((1000 - chunkRows) * 1000.0 / chunkRate)));
				assertThat(endpoint.estimatedTotal()).isEqualTo(1000L);
				assertThat(endpoint.percent()).isEqualTo(info.percent());
				assertThat(endpoint.rowsPerSecond()).isEqualTo(info.rowsPerSecond());
				assertThat(endpoint.etaSeconds()).isEqualTo(info.eta().toSeconds());
				assertThat(gauge).as(BackfillGauges.PROGRESS).isCloseTo(chunkRows / 1000.0, Offset.offset(1e-9));

				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				// Not asserted: the last chunks, fewer than the workers, run at one worker's pace.
				double real = (System.nanoTime() - read) / 1e6;
				System.out.printf("%s: ETA %d ms, real remaining %.0f ms (ratio %.2f)%n", database,
						info.eta().toMillis(), real, info.eta().toMillis() / real);
				MigrationInfo done = app.getBean(BackfillOperations.class).migration("items").orElseThrow();
				assertThat(done.estimatedTotal()).isEqualTo(1000L);
				assertThat(done.rowsProcessed()).isEqualTo(1000L);
				assertThat(done.percent()).isEqualTo(100.0);
				assertThat(done.eta()).isEqualTo(Duration.ZERO);
				assertThat(done.rowsPerSecond()).as("no rate once completed").isNull();
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aWorkerGivesItsRateToTheNextChunkItClaimsBeforeThatChunksFirstCheckpoint(TestDatabase database)
			throws Exception {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 1000);
			// Chunks 0 and 1 are the workers' first; chunk 2 is the next one of whichever ends first.
			CountDownLatch inChunk2 = new CountDownLatch(1);
			CountDownLatch looked = new CountDownLatch(1);
			AtomicReference<long[]> chunk2 = new AtomicReference<>();
			RecordingMigration migration = new RecordingMigration(BASE_QUERY);
			migration.onBatch((rows) -> {
				long[] range = chunk2.updateAndGet((known) -> (known != null) ? known : range(jdbc, 2));
				long first = ((Number) rows.get(0).get("id")).longValue();
				if (first >= range[0] && first < range[1] && inChunk2.getCount() > 0) {
					inChunk2.countDown();
					Latches.await(looked);
				}
				sleep(100);
			});
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("items", migration),
					"backfill.mode=background", "backfill.parallelism=2", "backfill.batch-size=10",
					"backfill.throttle=0")) {
				Latches.await(inChunk2);
				Map<String, Object> chunk = jdbc.queryForMap(HELD_CHUNKS + " AND chunk = 2");
				MigrationInfo info = app.getBean(BackfillOperations.class).migration("items").orElseThrow();
				looked.countDown();
				assertThat(chunk.get("rows_processed")).as("before the chunk's first checkpoint").isEqualTo(0L);
				assertThat(chunk.get("lease_owner")).isNotNull();
				assertThat(chunk.get("rows_per_second")).as("the rate its worker brought").isNotNull();
				// One worker's 10 rows a batch of at least 100 ms.
				assertThat(number(chunk, "rows_per_second").doubleValue()).isBetween(10.0, 100.0);
				assertThat(info.rowsPerSecond()).isGreaterThanOrEqualTo(number(chunk, "rows_per_second").doubleValue());
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				assertThat(Tracking.status(jdbc, "items")).isEqualTo("COMPLETED");
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void chunksStartedAgainAfterAFailureKeepTheEstimateTakenWhenTheMigrationWasSplit(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 2000);
			catchThrowable(() -> TestApps.run(schema, Map.of("items", new RecordingMigration(BASE_QUERY).failAtBatch(15)),
					"backfill.parallelism=2", "backfill.batch-size=10", "backfill.throttle=0").close());
			Map<String, Object> failed = Tracking.row(jdbc, "items");
			assertThat(failed.get("status")).isEqualTo("FAILED");
			assertThat(failed.get("estimated_total")).as("estimate at the split").isEqualTo(1000L);
			// 100 more rows of the base query, after every key so far: in the last chunk.
			TestTables.insert(jdbc, "INSERT INTO items (id, val, migrated) VALUES (?, 0, 0)", 100,
					(i) -> new Object[] { 2000L + i });
			try (ConfigurableApplicationContext app = TestApps.run(schema,
					Map.of("items", new RecordingMigration(BASE_QUERY)), "backfill.parallelism=2",
					"backfill.batch-size=10", "backfill.throttle=0")) {
				Map<String, Object> row = Tracking.row(jdbc, "items");
				assertThat(row.get("status")).isEqualTo("COMPLETED");
				assertThat(row.get("rows_processed")).isEqualTo(1100L);
				assertThat(row.get("estimated_total")).as("estimate kept by the restart").isEqualTo(1000L);
			}
		}
	}

	@Test
	void statisticsEstimateOfAChunkMigrationOnPostgresIsThePlannersTakenWhenItIsSplit() {
		try (TestSchema schema = TestDatabases.postgres().createSchema()) {
			TestTables.createItems(schema.jdbc(), 20_000);
			schema.jdbc().execute("ALTER TABLE items SET (autovacuum_enabled = false)");
			schema.jdbc().execute("ANALYZE items");
			schema.jdbc().update("DELETE FROM items WHERE id > 10000");
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().estimate(RowEstimate.STATISTICS).parallelism(2).batchSize(1000).build());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("items", migration),
					"backfill.throttle=0")) {
				assertThat(Tracking.status(schema.jdbc(), "items")).isEqualTo("COMPLETED");
				assertThat(schema.jdbc().queryForObject("SELECT COUNT(*) FROM backfill_migrations_chunks", Long.class))
					.isEqualTo(8L);
				// A count would say 10,000; the planner still sees the pages of 20,000.
				assertThat((Long) Tracking.row(schema.jdbc(), "items").get("estimated_total")).isGreaterThan(15_000L);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aThrottleWaitOfEveryWorkerLeavesTheMigrationsRateUndiluted(TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 2000);
			// Each worker waits 1.5 s once, before its 20th batch: more than the ten batches of its
			// window. (Asked again after the wait, it counts that as a batch too.)
			Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
			Set<String> waited = ConcurrentHashMap.newKeySet();
			BackfillThrottle busy = (context) -> {
				String worker = Thread.currentThread().getName();
				boolean wait = asked.computeIfAbsent(worker, (name) -> new AtomicInteger()).incrementAndGet() == 20
						&& waited.add(worker);
				return wait ? ThrottleDecision.waitFor(Duration.ofMillis(1500), "busy") : ThrottleDecision.go();
			};
			// Each worker is held once at about its 26th batch, when its window (batches 16 to 25)
			// holds the wait, and once at about its 41st (of 50), when its window (31 to 40) holds none.
			Gate with = new Gate(50, 2);
			Gate without = new Gate(80, 2);
			RecordingMigration migration = paced(100, with, without);
			try (ConfigurableApplicationContext app = TestApps
				.builder(schema, Map.of("items", migration), "backfill.mode=background", "backfill.parallelism=2",
						"backfill.batch-size=10", "backfill.throttle=0")
				.initializers((context) -> context.getBeanFactory().registerSingleton("busyThrottle", busy))
				.run()) {
				BackfillOperations operations = app.getBean(BackfillOperations.class);
				with.awaitHeld();
				double rateWith = operations.migration("items").orElseThrow().rowsPerSecond();
				with.release();
				without.awaitHeld();
				double rateWithout = operations.migration("items").orElseThrow().rowsPerSecond();
				without.release();
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				double ratio = rateWith / rateWithout;
				System.out.printf("%s: rows/s with the waits in the windows %.0f, without %.0f (ratio %.2f)%n",
						database, rateWith, rateWithout, ratio);
				// Had the waits counted, about 2.5 s for the work of 1 s: a ratio of about 0.4.
				assertThat(ratio).as("rate with the waits in the windows / rate without").isBetween(0.75, 1.25);
				assertThat(waited).hasSize(2);
				assertThat(Tracking.status(schema.jdbc(), "items")).isEqualTo("COMPLETED");
				// Each worker waited once, 1.5 s, and ran several chunks: the chunks' times throttled add
				// up to the two waits, each counted once, in the chunk it held up.
				long throttled = operations.migration("items").orElseThrow().throttledTime().toMillis();
				assertThat(throttled).isBetween(2_900L, 3_600L);
				assertThat(schema.jdbc().queryForObject("SELECT SUM(throttled_millis) FROM backfill_migrations_chunks",
						Long.class)).isEqualTo(throttled);
				// Added to the tracking row as each chunk completed, so that it outlives the chunks (a sweep
				// deletes them).
				assertThat(schema.jdbc().queryForObject("SELECT throttled_millis FROM backfill_migrations",
						Long.class)).isEqualTo(throttled);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void theProgressLineOfAChunkMigrationIsLoggedEveryIntervalWithTheWholeMigrationsFigures(TestDatabase database,
			CapturedOutput output) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 1200);
			long started = System.nanoTime();
			try (ConfigurableApplicationContext app = TestApps.run(schema,
					Map.of("items", paced(100, null, null)), "backfill.parallelism=2", "backfill.batch-size=10",
					"backfill.throttle=0", "backfill.progress-log-interval=500ms")) {
				// 60 batches of at least 100 ms on two workers: 3 s or more, so at least 5 lines.
				assertThat(Tracking.status(schema.jdbc(), "items")).isEqualTo("COMPLETED");
			}
			long intervals = (System.nanoTime() - started) / 500_000_000L;
			List<ProgressLines.Line> lines = ProgressLines.of(output.getOut(), "items", 600);
			assertThat(lines).allSatisfy((line) -> {
				assertThat(line.percent()).isCloseTo(Math.min(99.9, 100.0 * line.rows() / 600), Offset.offset(0.05));
				// Two workers of 10 rows per batch of at least 100 ms: at most 200 rows/s.
				assertThat(line.rowsPerSecond()).isBetween(10L, 200L);
			});
			// One line per interval at most, of all workers (the start is in the measured time too).
			assertThat(lines).as("progress lines in:%n%s", output.getOut()).hasSizeBetween(3, (int) intervals);
		}
	}

	/**
	 * The base query's migration, taking at least {@code millis} per batch, every call of it
	 * told to the gates first.
	 */
	private static RecordingMigration paced(long millis, Gate first, Gate second) {
		AtomicInteger calls = new AtomicInteger();
		RecordingMigration migration = new RecordingMigration(BASE_QUERY);
		migration.onBatch((rows) -> {
			int call = calls.incrementAndGet();
			for (Gate gate : new Gate[] { first, second }) {
				if (gate != null) {
					gate.pass(call);
				}
			}
			sleep(millis);
		});
		return migration;
	}

	/** A chunk's key range, start and end, as numbers. */
	private static long[] range(JdbcTemplate jdbc, int chunk) {
		Map<String, Object> row = jdbc.queryForMap("SELECT range_start, range_end FROM backfill_migrations_chunks "
				+ "WHERE migration = 'items' AND chunk = ?", chunk);
		return new long[] { Long.parseLong((String) row.get("range_start")), Long.parseLong((String) row.get("range_end")) };
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private static Number number(Map<String, Object> row, String column) {
		return (Number) row.get(column);
	}

	/**
	 * Holds the calls of {@code migrate} after call {@code after}, one per worker (a held
	 * worker makes no further call), until released: once every worker is held, every chunk
	 * being run sits between two checkpoints, its rows and rate as they stand.
	 */
	private static final class Gate {

		private final int after;

		private final int workers;

		private final CountDownLatch held;

		private final CountDownLatch released = new CountDownLatch(1);

		Gate(int after, int workers) {
			this.after = after;
			this.workers = workers;
			this.held = new CountDownLatch(workers);
		}

		void pass(int call) {
			if (call > this.after && call <= this.after + this.workers) {
				this.held.countDown();
				Latches.await(this.released);
			}
		}

		void awaitHeld() {
			Latches.await(this.held);
		}

		void release() {
			this.released.countDown();
		}

	}

}
