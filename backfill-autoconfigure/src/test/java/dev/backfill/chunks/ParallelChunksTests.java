package dev.backfill.chunks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import dev.backfill.BackfillMode;
import dev.backfill.BackfillOperations;
import dev.backfill.MigrationInfo;
import dev.backfill.MigrationListener;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A migration with {@code parallelism} above 1: its keys split into chunks, run by the
 * workers of every instance, each row once, the migration's counts the chunks' sums; a
 * worker whose chunk lease is taken mid-batch has that batch refused.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ParallelChunksTests {

	private static final Duration LEASE = Duration.ofSeconds(2);

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void theOperationsApiShowsChunkProgressAndTheWorkersHoldingChunks(TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			createRows(schema.jdbc(), 2000);
			CountDownLatch inBatch = new CountDownLatch(1);
			CountDownLatch looked = new CountDownLatch(1);
			try (ChunkedInstance instance = new ChunkedInstance(schema, "items_p", "id", 2, 100, LEASE,
					new ConcurrentLinkedQueue<>(), MigrationListener.NONE)) {
				instance.hook((worker, first) -> {
					if (inBatch.getCount() > 0) {
						inBatch.countDown();
						looked.await(30, TimeUnit.SECONDS);
					}
				});
				BackfillOperations operations = instance.operations();
				instance.start(BackfillMode.BLOCKING);
				assertThat(inBatch.await(30, TimeUnit.SECONDS)).isTrue();
				MigrationInfo running = operations.migration(ChunkedInstance.MIGRATION).orElseThrow();
				looked.countDown();
				assertThat(running.chunks()).isNotNull();
				assertThat(running.chunks().total()).isEqualTo(8);
				assertThat(running.chunks().running()).isBetween(1, 2);
				assertThat(running.chunks().completed()).isLessThan(8);
				assertThat(running.owners()).isNotEmpty().allMatch((owner) -> owner.startsWith(instance.owner() + "/"));
				assertThat(instance.awaitResult(Duration.ofSeconds(60)).outcome())
					.isEqualTo(MigrationResult.Outcome.COMPLETED);
				MigrationInfo done = operations.migration(ChunkedInstance.MIGRATION).orElseThrow();
				assertThat(done.chunks()).isEqualTo(new MigrationInfo.ChunkProgress(8, 8, 0));
				assertThat(done.owners()).isEmpty();
				assertThat(done.rowsProcessed()).isEqualTo(2000);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void twoInstancesOfFourWorkersJoinOneRunAndMigrateEveryRowOnce(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createRows(jdbc, 20_000);
			Queue<ChunkedInstance.Attempt> attempts = new ConcurrentLinkedQueue<>();
			// Each instance's first batch waits for the other's: both run chunks at once.
			CountDownLatch bothInABatch = new CountDownLatch(2);
			try (ChunkedInstance a = instance(schema, 4, attempts); ChunkedInstance b = instance(schema, 4, attempts)) {
				a.hook(waitForOther(bothInABatch));
				b.hook(waitForOther(bothInABatch));
				a.start(BackfillMode.BLOCKING);
				b.start(BackfillMode.BLOCKING);
				MigrationResult ra = a.awaitResult(Duration.ofSeconds(120));
				MigrationResult rb = b.awaitResult(Duration.ofSeconds(120));
				assertThat(List.of(ra.outcome(), rb.outcome())).containsOnly(MigrationResult.Outcome.COMPLETED);
				assertThat(ra.rows() + rb.rows()).isEqualTo(20_000);
				assertThat(ra.rows()).isPositive();
				assertThat(rb.rows()).isPositive();
			}
			assertEveryRowMigratedOnce(jdbc, "items_p", 20_000);
			List<Map<String, Object>> chunks = chunks(jdbc);
			assertThat(chunks).hasSize(16);
			assertContiguous(chunks);
			assertThat(chunks).allSatisfy((chunk) -> assertThat(chunk.get("status")).isEqualTo("COMPLETED"));
			long chunkBatches = chunks.stream().mapToLong((chunk) -> ((Number) chunk.get("batches")).longValue()).sum();
			Map<String, Object> tracking = tracking(jdbc);
			assertThat(tracking.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) tracking.get("rows_processed")).longValue()).isEqualTo(20_000);
			assertThat(((Number) tracking.get("batches")).longValue()).isEqualTo(chunkBatches);
			assertThat(tracking.get("lease_owner")).isNull();
			assertThat(attempts).allMatch(ChunkedInstance.Attempt::committed);
			assertThat(attempts.stream().map(ChunkedInstance.Attempt::worker).distinct()).hasSizeGreaterThan(2);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void textKeysAreSplitAtSampledBoundariesAndEachRowIsMigratedOnce(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE codes_p (code VARCHAR(20) PRIMARY KEY, counter INT NOT NULL)");
			TestTables.insert(jdbc, "INSERT INTO codes_p (code, counter) VALUES (?, 0)", 3000,
					(i) -> new Object[] { String.format("c%05d", (i * 7919) % 100_000) });
			Queue<ChunkedInstance.Attempt> attempts = new ConcurrentLinkedQueue<>();
			try (ChunkedInstance instance = new ChunkedInstance(schema, "codes_p", "code", 3, 100, LEASE, attempts,
					MigrationListener.NONE)) {
				assertThat(instance.start(BackfillMode.BLOCKING).awaitResult(Duration.ofSeconds(120)).outcome())
					.isEqualTo(MigrationResult.Outcome.COMPLETED);
			}
			assertEveryRowMigratedOnce(jdbc, "codes_p", 3000);
			List<Map<String, Object>> chunks = chunks(jdbc);
			// 3 workers, 4 chunks each: every 250th key a boundary.
			assertThat(chunks).hasSize(12);
			assertContiguous(chunks);
			assertThat(chunks).allSatisfy((chunk) -> assertThat(((Number) chunk.get("rows_processed")).longValue())
				.isBetween(249L, 251L));
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aBatchWhoseChunkLeaseWasTakenMidBatchIsRefusedAndTheChunkResumesFromItsCheckpoint(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createRows(jdbc, 4000);
			Queue<ChunkedInstance.Attempt> attempts = new ConcurrentLinkedQueue<>();
			try (ChunkedInstance instance = new ChunkedInstance(schema, "items_p", "id", 2, 125, LEASE, attempts,
					MigrationListener.NONE)) {
				// 8 chunks of 500 keys: chunk 1 is 501..1000, in 4 batches. Its second (626..750) waits,
				// its writes done, while the chunk's lease is taken.
				assertThat(instance.runWithLeaseTakenMidBatch("626", 1).outcome())
					.isEqualTo(MigrationResult.Outcome.COMPLETED);
			}
			// The refused batch rolled back; chunk 1 went on from its checkpoint (after key 625) once
			// the thief's lease expired.
			assertEveryRowMigratedOnce(jdbc, "items_p", 4000);
			List<ChunkedInstance.Attempt> ofBatch = attempts.stream()
				.filter((attempt) -> attempt.first().equals("626"))
				.toList();
			assertThat(ofBatch).extracting(ChunkedInstance.Attempt::committed).containsExactly(false, true);
			assertThat(attempts.stream().filter((attempt) -> attempt.first().equals("501")))
				.extracting(ChunkedInstance.Attempt::committed)
				.containsExactly(true);
			assertThat(chunks(jdbc)).allSatisfy((chunk) -> assertThat(chunk.get("status")).isEqualTo("COMPLETED"));
		}
	}

	@Test
	void theWorkersGaugeCountsTheWorkersOfThisInstanceRunningTheMigration() {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			createRows(schema.jdbc(), 2000);
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			CountDownLatch bothInABatch = new CountDownLatch(2);
			List<Double> seenInBatch = new CopyOnWriteArrayList<>();
			try (ChunkedInstance instance = new ChunkedInstance(schema, "items_p", "id", 2, 100, LEASE,
					new ConcurrentLinkedQueue<>(), new MicrometerMigrationListener(registry))) {
				instance.hook((worker, first) -> {
					boolean firstBatch = bothInABatch.getCount() > 0;
					// The first batch of each of the two workers waits for the other's.
					if (firstBatch) {
						bothInABatch.countDown();
						bothInABatch.await(30, TimeUnit.SECONDS);
					}
					if (firstBatch) {
						seenInBatch.add(workers(registry));
					}
				});
				assertThat(instance.start(BackfillMode.BLOCKING).awaitResult(Duration.ofSeconds(60)).outcome())
					.isEqualTo(MigrationResult.Outcome.COMPLETED);
			}
			assertThat(seenInBatch).containsExactly(2.0, 2.0);
			assertThat(workers(registry)).isZero();
		}
	}

	private static double workers(SimpleMeterRegistry registry) {
		return registry.get(MicrometerMigrationListener.WORKERS).tag("migration", ChunkedInstance.MIGRATION).gauge()
			.value();
	}

	private static ChunkedInstance instance(TestSchema schema, int parallelism,
			Queue<ChunkedInstance.Attempt> attempts) {
		return new ChunkedInstance(schema, "items_p", "id", parallelism, 500, LEASE, attempts,
				MigrationListener.NONE);
	}

	/**
	 * Holds every batch of an instance until the other instance has begun one too: counted
	 * once per instance, not per worker, so that one instance's workers cannot release each
	 * other and run the whole table before the other joins.
	 */
	static ChunkedInstance.Hook waitForOther(CountDownLatch bothInABatch) {
		AtomicBoolean counted = new AtomicBoolean();
		return (worker, first) -> {
			if (counted.compareAndSet(false, true)) {
				bothInABatch.countDown();
			}
			bothInABatch.await(30, TimeUnit.SECONDS);
		};
	}

	static void createRows(JdbcTemplate jdbc, int rows) {
		jdbc.execute("CREATE TABLE items_p (id BIGINT PRIMARY KEY, counter INT NOT NULL)");
		TestTables.insert(jdbc, "INSERT INTO items_p (id, counter) VALUES (?, 0)", rows,
				(i) -> new Object[] { (long) i });
	}

	static void assertEveryRowMigratedOnce(JdbcTemplate jdbc, String table, int rows) {
		Map<Integer, Long> counters = jdbc
			.queryForList("SELECT counter, COUNT(*) AS n FROM " + table + " GROUP BY counter")
			.stream()
			.collect(Collectors.toMap((row) -> ((Number) row.get("counter")).intValue(),
					(row) -> ((Number) row.get("n")).longValue()));
		assertThat(counters).as("rows by counter").containsExactly(Map.entry(1, (long) rows));
	}

	static List<Map<String, Object>> chunks(JdbcTemplate jdbc) {
		return jdbc.queryForList("SELECT * FROM backfill_migrations_chunks WHERE migration = ? ORDER BY chunk",
				ChunkedInstance.MIGRATION).stream().map(ParallelChunksTests::caseInsensitive).toList();
	}

	static Map<String, Object> tracking(JdbcTemplate jdbc) {
		return caseInsensitive(jdbc.queryForMap("SELECT * FROM backfill_migrations WHERE name = ?",
				ChunkedInstance.MIGRATION));
	}

	private static Map<String, Object> caseInsensitive(Map<String, Object> row) {
		Map<String, Object> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		copy.putAll(row);
		return copy;
	}

	/** The first chunk starts nowhere, each next one where the one before ends, the last ends nowhere. */
	static void assertContiguous(List<Map<String, Object>> chunks) {
		assertThat(chunks.get(0).get("range_start")).isNull();
		assertThat(chunks.get(chunks.size() - 1).get("range_end")).isNull();
		for (int i = 1; i < chunks.size(); i++) {
			assertThat(chunks.get(i).get("range_start")).as("start of chunk %d", i)
				.isNotNull()
				.isEqualTo(chunks.get(i - 1).get("range_end"));
		}
	}

}
