package dev.backfill.chunks;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import dev.backfill.BackfillMode;
import dev.backfill.MigrationListener;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.internal.store.ChunkStore;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static dev.backfill.chunks.ParallelChunksTests.assertEveryRowMigratedOnce;
import static dev.backfill.chunks.ParallelChunksTests.chunks;
import static dev.backfill.chunks.ParallelChunksTests.createRows;
import static dev.backfill.chunks.ParallelChunksTests.tracking;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An operator's pause landing at the awkward moments of a run, above all one in chunks:
 * while its keys are split, while a batch fails, after which the run must pass over the
 * migration until it is resumed and then finish it, each row once; and a rerun of a
 * migration once run in chunks. Each moment is forced: the pause is made from inside the
 * batch, or just before the statement it must precede.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PauseRacesTests {

	private static final Duration LEASE = Duration.ofSeconds(2);

	/** Far shorter than the instances' lock-wait timeout (120 s): a run waiting for a pause would miss it. */
	private static final Duration PROMPTLY = Duration.ofSeconds(30);

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aMigrationPausedWhileRunInChunksIsPassedOverUntilResumedAndThenFinishedFromItsChunksCheckpoints(
			TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createRows(jdbc, 2000);
			ConcurrentLinkedQueue<ChunkedInstance.Attempt> attempts = new ConcurrentLinkedQueue<>();
			assertThat(pauseAtTheFourthBatch(schema, attempts, BackfillMode.BLOCKING))
				.isEqualTo(MigrationResult.Outcome.PAUSED);
			assertThat(tracking(jdbc)).containsEntry("status", "PAUSED").containsEntry("paused_by", "alice");
			assertThat(chunks(jdbc)).allSatisfy((chunk) -> {
				assertThat(chunk.get("status")).isNotEqualTo("FAILED");
				assertThat(chunk.get("lease_owner")).isNull();
			});
			Map<Integer, Long> before = counters(jdbc);
			for (BackfillMode mode : BackfillMode.values()) {
				try (ChunkedInstance next = instance(schema, 2, attempts)) {
					assertThat(next.start(mode).awaitResult(PROMPTLY).outcome()).as(mode.name())
						.isEqualTo(MigrationResult.Outcome.PAUSED);
				}
			}
			assertThat(counters(jdbc)).as("rows migrated while paused").isEqualTo(before);
			assertThat(attempts).filteredOn((attempt) -> !attempt.committed()).isNotEmpty();
			resumeAndComplete(schema, 2, attempts);
			assertEveryRowMigratedOnce(jdbc, "items_p", 2000);
			assertThat(tracking(jdbc)).containsEntry("status", "COMPLETED");
			assertThat(((Number) tracking(jdbc).get("rows_processed")).longValue()).isEqualTo(2000);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aMigrationPausedWhileRunInChunksInBackgroundModeIsReportedPausedNotRunningElsewhere(TestDatabase database)
			throws Exception {
		try (TestSchema schema = database.createSchema()) {
			createRows(schema.jdbc(), 2000);
			assertThat(pauseAtTheFourthBatch(schema, new ConcurrentLinkedQueue<>(), BackfillMode.BACKGROUND))
				.isEqualTo(MigrationResult.Outcome.PAUSED);
			assertThat(tracking(schema.jdbc())).containsEntry("status", "PAUSED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aPauseThatLandsWhileTheKeysAreSplitStandsAndTheSplitIsRolledBack(TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createRows(jdbc, 2000);
			try (ChunkedInstance instance = instance(schema, 2, new ConcurrentLinkedQueue<>())) {
				AtomicBoolean once = new AtomicBoolean();
				// Inside the split's transaction, before its first chunk is written: the pause commits
				// from another thread (another connection) first.
				instance.whenPrepared((sql) -> {
					if (sql.startsWith("INSERT INTO backfill_migrations_chunks") && once.compareAndSet(false, true)) {
						pauseFromAnotherThread(instance);
					}
				});
				assertThat(instance.start(BackfillMode.BLOCKING).awaitResult(PROMPTLY).outcome())
					.isEqualTo(MigrationResult.Outcome.PAUSED);
				assertThat(once).isTrue();
			}
			assertThat(tracking(jdbc)).containsEntry("status", "PAUSED").containsEntry("lease_owner", null);
			assertThat(chunks(jdbc)).isEmpty();
			assertThat(counters(jdbc)).containsExactly(Map.entry(0, 2000L));
			resumeAndComplete(schema, 2, new ConcurrentLinkedQueue<>());
			assertEveryRowMigratedOnce(jdbc, "items_p", 2000);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aChunkThatFailsWhileItsMigrationIsPausedKeepsThePauseAndRunsAgainOnceResumed(TestDatabase database)
			throws Exception {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createRows(jdbc, 2000);
			try (ChunkedInstance instance = instance(schema, 2, new ConcurrentLinkedQueue<>())) {
				AtomicBoolean once = new AtomicBoolean();
				instance.hook((worker, key) -> {
					if (key.equals("501") && once.compareAndSet(false, true)) {
						pauseFromAnotherThread(instance);
						throw new IllegalStateException("boom in the batch after 500");
					}
				});
				assertThat(instance.start(BackfillMode.BLOCKING).awaitResult(PROMPTLY).outcome())
					.isEqualTo(MigrationResult.Outcome.PAUSED);
			}
			Map<String, Object> paused = tracking(jdbc);
			assertThat(paused).containsEntry("status", "PAUSED")
				.containsEntry("lease_owner", ChunkStore.CHUNK_WORKERS);
			assertThat((String) paused.get("last_error")).contains("boom in the batch after 500");
			assertThat(chunks(jdbc)).filteredOn((chunk) -> "FAILED".equals(chunk.get("status"))).hasSize(1);
			resumeAndComplete(schema, 2, new ConcurrentLinkedQueue<>());
			assertEveryRowMigratedOnce(jdbc, "items_p", 2000);
			assertThat(chunks(jdbc)).allSatisfy((chunk) -> assertThat(chunk.get("status")).isEqualTo("COMPLETED"));
			assertThat(tracking(jdbc)).containsEntry("status", "COMPLETED").containsEntry("last_error", null);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aBatchThatFailsWhileAPauseLandsLeavesTheMigrationPausedNotFailed(TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createRows(jdbc, 1000);
			try (ChunkedInstance instance = instance(schema, 1, new ConcurrentLinkedQueue<>())) {
				AtomicBoolean once = new AtomicBoolean();
				instance.hook((worker, key) -> {
					if (key.equals("201") && once.compareAndSet(false, true)) {
						pauseFromAnotherThread(instance);
						throw new IllegalStateException("boom in batch 3");
					}
				});
				assertThat(instance.start(BackfillMode.BLOCKING).awaitResult(PROMPTLY).outcome())
					.isEqualTo(MigrationResult.Outcome.PAUSED);
			}
			Map<String, Object> paused = tracking(jdbc);
			assertThat(paused).containsEntry("status", "PAUSED").containsEntry("lease_owner", null)
				.containsEntry("last_key", "200");
			assertThat((String) paused.get("last_error")).contains("boom in batch 3");
			// Not taken on the next start, as a FAILED one would be.
			try (ChunkedInstance next = instance(schema, 1, new ConcurrentLinkedQueue<>())) {
				assertThat(next.start(BackfillMode.BLOCKING).awaitResult(PROMPTLY).outcome())
					.isEqualTo(MigrationResult.Outcome.PAUSED);
			}
			assertThat(counters(jdbc)).containsOnly(Map.entry(1, 200L), Map.entry(0, 800L));
			resumeAndComplete(schema, 1, new ConcurrentLinkedQueue<>());
			assertEveryRowMigratedOnce(jdbc, "items_p", 1000);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aRerunOfAMigrationRunInChunksStoppedPartWayOnOneWorkerGoesOnInChunksAfterItsCheckpoint(
			TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			runInChunksThenStopARerunAfterThreeBatchesOnOneWorker(schema, (instance) -> {
				instance.operations().rerun(ChunkedInstance.MIGRATION);
				// Its chunks went with its checkpoint.
				assertThat(chunks(jdbc)).isEmpty();
			});
			assertThat(tracking(jdbc)).containsEntry("status", "COMPLETED");
			assertThat(counters(jdbc)).as("each row migrated once by each run").containsExactly(Map.entry(2, 2000L));
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aMigrationRunInChunksWhoseRowWasDeletedAndThenStoppedPartWayOnOneWorkerGoesOnInChunksAfterItsCheckpoint(
			TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			// The way to run a migration again before the operations API, which leaves its chunks.
			runInChunksThenStopARerunAfterThreeBatchesOnOneWorker(schema, (instance) -> instance.jdbc()
				.update("DELETE FROM backfill_migrations WHERE name = ?", ChunkedInstance.MIGRATION));
			assertThat(tracking(jdbc)).containsEntry("status", "COMPLETED");
			assertThat(counters(jdbc)).as("each row migrated once by each run").containsExactly(Map.entry(2, 2000L));
		}
	}

	private static void runInChunksThenStopARerunAfterThreeBatchesOnOneWorker(TestSchema schema,
			Consumer<ChunkedInstance> rerun) {
		JdbcTemplate jdbc = schema.jdbc();
		createRows(jdbc, 2000);
		try (ChunkedInstance chunked = instance(schema, 2, new ConcurrentLinkedQueue<>())) {
			assertThat(chunked.start(BackfillMode.BLOCKING).awaitResult(Duration.ofSeconds(60)).outcome())
				.isEqualTo(MigrationResult.Outcome.COMPLETED);
			rerun.accept(chunked);
		}
		try (ChunkedInstance single = instance(schema, 1, new ConcurrentLinkedQueue<>())) {
			AtomicInteger batches = new AtomicInteger();
			// Stopped as a shutdown stops it: after the batch in flight, which commits.
			single.hook((worker, key) -> {
				if (batches.incrementAndGet() == 3) {
					single.stop();
				}
			});
			assertThat(single.start(BackfillMode.BLOCKING).awaitResult(Duration.ofSeconds(60)).outcome())
				.isEqualTo(MigrationResult.Outcome.STOPPED);
		}
		assertThat(tracking(jdbc)).containsEntry("status", "PENDING").containsEntry("last_key", "300");
		try (ChunkedInstance chunked = instance(schema, 3, new ConcurrentLinkedQueue<>())) {
			assertThat(chunked.start(BackfillMode.BLOCKING).awaitResult(Duration.ofSeconds(60)).outcome())
				.isEqualTo(MigrationResult.Outcome.COMPLETED);
		}
	}

	/**
	 * Runs the migration on 2 workers and pauses it while the fourth batch waits, its writes
	 * done; the outcome of the run.
	 */
	private static MigrationResult.Outcome pauseAtTheFourthBatch(TestSchema schema,
			ConcurrentLinkedQueue<ChunkedInstance.Attempt> attempts, BackfillMode mode) throws InterruptedException {
		CountDownLatch inBatch = new CountDownLatch(1);
		CountDownLatch paused = new CountDownLatch(1);
		try (ChunkedInstance first = instance(schema, 2, attempts)) {
			AtomicInteger batches = new AtomicInteger();
			first.hook((worker, key) -> {
				if (batches.incrementAndGet() == 4) {
					inBatch.countDown();
					assertThat(paused.await(30, TimeUnit.SECONDS)).isTrue();
				}
			});
			first.start(mode);
			assertThat(inBatch.await(30, TimeUnit.SECONDS)).isTrue();
			first.operations().pause(ChunkedInstance.MIGRATION, "alice");
			paused.countDown();
			return first.awaitResult(PROMPTLY).outcome();
		}
	}

	/** Resumes the migration and runs it on a new instance, which completes it. */
	private static void resumeAndComplete(TestSchema schema, int parallelism,
			ConcurrentLinkedQueue<ChunkedInstance.Attempt> attempts) {
		try (ChunkedInstance resumed = instance(schema, parallelism, attempts)) {
			resumed.operations().resume(ChunkedInstance.MIGRATION);
			assertThat(resumed.start(BackfillMode.BLOCKING).awaitResult(Duration.ofSeconds(60)).outcome())
				.isEqualTo(MigrationResult.Outcome.COMPLETED);
		}
	}

	/** Pauses the migration on another thread, so on another connection than the caller's transaction's. */
	private static void pauseFromAnotherThread(ChunkedInstance instance) {
		CompletableFuture.runAsync(() -> instance.operations().pause(ChunkedInstance.MIGRATION, "bob"))
			.orTimeout(30, TimeUnit.SECONDS)
			.join();
	}

	private static ChunkedInstance instance(TestSchema schema, int parallelism,
			ConcurrentLinkedQueue<ChunkedInstance.Attempt> attempts) {
		return new ChunkedInstance(schema, "items_p", "id", parallelism, 100, LEASE, attempts,
				MigrationListener.NONE);
	}

	private static Map<Integer, Long> counters(JdbcTemplate jdbc) {
		return jdbc.queryForList("SELECT counter, COUNT(*) AS n FROM items_p GROUP BY counter")
			.stream()
			.collect(Collectors.toMap((row) -> ((Number) row.get("counter")).intValue(),
					(row) -> ((Number) row.get("n")).longValue()));
	}

}
