package dev.backfill.chunks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.backfill.BackfillMode;
import dev.backfill.MigrationInfo;
import dev.backfill.MigrationListener;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.internal.settings.VerifySettings;
import dev.backfill.testsupport.Latches;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;

import static dev.backfill.chunks.ParallelChunksTests.chunks;
import static dev.backfill.chunks.ParallelChunksTests.tracking;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The verify pass of a migration run in chunks: rows inserted behind the chunks' cursors
 * during a run are counted once every chunk has completed, recorded as
 * {@code remaining_rows} in the write that completes the migration and warned about; with
 * {@code sweep} the next pass runs in chunks split afresh, on the workers of every
 * instance, bounded by {@code max-passes}; with {@code verify=false} nothing is counted.
 * The base query selects only the rows still to migrate ({@code counter = 0}), so a row
 * migrated twice would show as a counter of 2.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
@ExtendWith(OutputCaptureExtension.class)
class ChunkedVerifyPassTests {

	private static final Duration LEASE = Duration.ofSeconds(2);

	private static final Duration PROMPTLY = Duration.ofSeconds(60);

	private static final String UNMIGRATED = "counter = 0";

	private static final VerifySettings SWEEP = new VerifySettings(true, true, 3);

	/** Keys 2, 4, ..., 2000: 8 chunks for 2 workers, of 250 keys each from key 2 (chunk 1 starts at 252). */
	private static final int ROWS = 1000;

	/** Below chunk 0's checkpoint once its batch after key 100 runs. */
	private static final List<Long> BEHIND_FIRST_CHECKPOINT = List.of(1L, 3L, 5L);

	/** Inside chunks 1 (252..501) and 2 (502..751), once both have completed. */
	private static final List<Long> INSIDE_COMPLETED_CHUNKS = List.of(301L, 303L, 601L, 603L);

	/** The verify pass's count, the base query as a derived table and nothing after it. */
	private static final Pattern COUNT_SQL = Pattern.compile("SELECT COUNT\\(\\*\\) FROM \\(\\n.*\\n\\) backfill_batch",
			Pattern.DOTALL);

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void rowsInsertedBehindTheChunkCursorsAreCountedOnceEveryChunkHasCompletedAndShownByTheOperationsApi(
			TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvenRows(jdbc);
			AtomicInteger counts = new AtomicInteger();
			try (ChunkedInstance instance = instance(schema, new ConcurrentLinkedQueue<>(), VerifySettings.DEFAULTS)) {
				instance.hook(insertingBehindTheCursors(jdbc)).whenPrepared(countsOf(counts));
				assertThat(instance.start(BackfillMode.BLOCKING).awaitResult(PROMPTLY).outcome())
					.isEqualTo(MigrationResult.Outcome.COMPLETED);
				MigrationInfo info = instance.operations().migration(ChunkedInstance.MIGRATION).orElseThrow();
				assertThat(info.remainingRows()).isEqualTo(7);
			}
			assertThat(counts).as("count statements").hasValue(1);
			assertCompleted(jdbc, null, 7L, ROWS);
			assertThat(counters(jdbc, "id % 2 = 1")).isEqualTo(Map.of(0, 7));
			assertThat(counters(jdbc, "id % 2 = 0")).isEqualTo(Map.of(1, ROWS));
			assertThat(occurrences(output.getOut(), "Backfill migration 'chunked' completed, but its base query still "
					+ "returns 7 rows (recorded as remaining_rows), inserted or changed behind the cursor while it ran. "
					+ "Enable backfill.migrations.chunked.sweep to migrate them in further passes"))
				.isOne();
			assertThat(output.getOut()).contains("WARN");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void sweepRunsTheNextPassInFreshChunksOnTheWorkersOfEveryInstanceAndMigratesTheRowsLeftBehindOnceEach(
			TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvenRows(jdbc);
			Queue<ChunkedInstance.Attempt> attempts = new ConcurrentLinkedQueue<>();
			ChunkedInstance.Hook behind = insertingBehindTheCursors(jdbc);
			// Pass 2's rows: 1, 3, 5 in its chunk 0, 301, 303 in chunk 3, 601, 603 in chunk 7. The first
			// batch of pass 2 of each instance waits until the other's has begun: both run pass 2.
			CountDownLatch bothInPassTwo = new CountDownLatch(2);
			List<String> owners = runTwoInstances(schema, attempts, SWEEP,
					() -> inPassTwo(behind, ParallelChunksTests.waitForOther(bothInPassTwo)), (sql) -> {
					});
			assertThat(bothInPassTwo.getCount()).isZero();
			// Both passes' rows and batches: each committed batch counted once.
			assertCompleted(jdbc, 2L, 0L, ROWS + 7);
			assertThat(((Number) tracking(jdbc).get("batches")).longValue())
				.isEqualTo(attempts.stream().filter(ChunkedInstance.Attempt::committed).count());
			assertThat(counters(jdbc, "1 = 1")).isEqualTo(Map.of(1, ROWS + 7));
			// The chunk table holds pass 2's chunks, split over the keys left: 1 to 603.
			List<Map<String, Object>> chunks = chunks(jdbc);
			assertThat(chunks).hasSize(8).allSatisfy((chunk) -> assertThat(chunk.get("status")).isEqualTo("COMPLETED"));
			ParallelChunksTests.assertContiguous(chunks);
			assertThat(chunks.stream().mapToLong((chunk) -> ((Number) chunk.get("rows_processed")).longValue()).sum())
				.isEqualTo(7);
			assertThat(attempts).filteredOn((attempt) -> isPassTwoBatch(attempt.first()))
				.extracting((attempt) -> attempt.worker().substring(0, attempt.worker().indexOf('/')))
				.containsAll(owners);
			try (ChunkedInstance instance = instance(schema, attempts, SWEEP)) {
				assertThat(instance.operations().migration(ChunkedInstance.MIGRATION).orElseThrow().remainingRows())
					.isZero();
			}
			assertThat(occurrences(output.getOut(), "Backfill migration 'chunked': pass 1 reached the end with 7 rows "
					+ "of the base query left behind the cursor; pass 2 of at most 3 starts from the first key"))
				.isOne();
			assertThat(output.getOut()).contains("Backfill migration 'chunked' split into 8 chunks of its keys for pass 2")
				.doesNotContain("completed, but its base query still returns");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void maxPassesBoundsASweepInChunksOfABaseQueryThatNeverEmpties(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvenRows(jdbc);
			try (ChunkedInstance instance = new ChunkedInstance(schema, "items_v", List.of("id"), 2, 50, LEASE,
					new ConcurrentLinkedQueue<>(), MigrationListener.NONE, null, new VerifySettings(true, true, 2))) {
				assertThat(instance.start(BackfillMode.BLOCKING).awaitResult(PROMPTLY).outcome())
					.isEqualTo(MigrationResult.Outcome.COMPLETED);
			}
			assertCompleted(jdbc, 2L, (long) ROWS, 2 * ROWS);
			assertThat(counters(jdbc, "1 = 1")).isEqualTo(Map.of(2, ROWS));
			assertThat(output.getOut()).contains("Backfill migration 'chunked' completed, but its base query still "
					+ "returns 1000 rows (recorded as remaining_rows), inserted or changed behind the cursor while it "
					+ "ran; the sweep stopped after 2 passes (max-passes 2)");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void verifyOffCountsNothingInChunksAndLeavesRemainingRowsEmpty(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvenRows(jdbc);
			AtomicInteger counts = new AtomicInteger();
			try (ChunkedInstance instance = instance(schema, new ConcurrentLinkedQueue<>(),
					new VerifySettings(false, false, 3))) {
				instance.hook(insertingBehindTheCursors(jdbc)).whenPrepared(countsOf(counts));
				assertThat(instance.start(BackfillMode.BLOCKING).awaitResult(PROMPTLY).outcome())
					.isEqualTo(MigrationResult.Outcome.COMPLETED);
				assertThat(instance.operations().migration(ChunkedInstance.MIGRATION).orElseThrow().remainingRows())
					.isNull();
			}
			assertThat(counts).as("count statements").hasValue(0);
			assertCompleted(jdbc, null, null, ROWS);
			assertThat(counters(jdbc, "id % 2 = 1")).isEqualTo(Map.of(0, 7));
			assertThat(output.getOut()).doesNotContain("still returns");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void twoInstancesEndingThePassAtOnceCompleteItOnceWithTheCount(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvenRows(jdbc);
			ChunkedInstance.Hook behind = insertingBehindTheCursors(jdbc);
			CountDownLatch bothCounting = new CountDownLatch(2);
			runTwoInstances(schema, new ConcurrentLinkedQueue<>(), VerifySettings.DEFAULTS, () -> behind,
					beforeCount(bothCounting));
			assertThat(bothCounting.getCount()).as("both counted at once").isZero();
			assertCompleted(jdbc, null, 7L, ROWS);
			assertThat(occurrences(output.getOut(), "Backfill migration 'chunked' completed, but its base query still "
					+ "returns 7 rows"))
				.isOne();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void twoInstancesEndingThePassAtOnceStartTheNextPassOnce(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvenRows(jdbc);
			ChunkedInstance.Hook behind = insertingBehindTheCursors(jdbc);
			CountDownLatch bothCounting = new CountDownLatch(2);
			CountDownLatch bothFencing = new CountDownLatch(2);
			// Both count at once; the one whose fenced write wins holds its transaction, before it
			// deletes the old chunks, until the other's write waits on the row it locked.
			Consumer<String> race = beforeCount(bothCounting).andThen((sql) -> {
				if (sql.startsWith("UPDATE backfill_migrations SET pass")) {
					bothFencing.countDown();
				}
				else if (sql.startsWith("DELETE FROM backfill_migrations_chunks")) {
					Latches.await(bothFencing);
					awaitLockWait(jdbc, database);
				}
			});
			runTwoInstances(schema, new ConcurrentLinkedQueue<>(), SWEEP, () -> behind, race);
			assertThat(bothFencing.getCount()).as("both tried to start pass 2").isZero();
			assertCompleted(jdbc, 2L, 0L, ROWS + 7);
			assertThat(counters(jdbc, "1 = 1")).isEqualTo(Map.of(1, ROWS + 7));
			assertThat(occurrences(output.getOut(), "of the base query left behind the cursor; pass 2 of at most 3 "
					+ "starts from the first key")).isOne();
			assertThat(occurrences(output.getOut(), "chunks of its keys for pass 2")).isOne();
		}
	}

	/**
	 * Runs two instances of two workers at once in blocking mode, until both have returned
	 * {@code COMPLETED}.
	 * @param hook each instance's batch hook
	 * @param whenPrepared each instance's statement hook
	 * @return the instances' owner ids
	 */
	private static List<String> runTwoInstances(TestSchema schema, Queue<ChunkedInstance.Attempt> attempts,
			VerifySettings verify, Supplier<ChunkedInstance.Hook> hook, Consumer<String> whenPrepared) {
		try (ChunkedInstance a = instance(schema, attempts, verify); ChunkedInstance b = instance(schema, attempts,
				verify)) {
			for (ChunkedInstance instance : List.of(a, b)) {
				instance.hook(hook.get()).whenPrepared(whenPrepared).start(BackfillMode.BLOCKING);
			}
			assertThat(a.awaitResult(PROMPTLY).outcome()).isEqualTo(MigrationResult.Outcome.COMPLETED);
			assertThat(b.awaitResult(PROMPTLY).outcome()).isEqualTo(MigrationResult.Outcome.COMPLETED);
			return List.of(a.owner(), b.owner());
		}
	}

	/**
	 * Asserts the tracking row {@code COMPLETED}.
	 * @param pass its pass, {@code null} for the first (never numbered)
	 * @param remaining its remaining rows, {@code null} for not counted
	 * @param rows its rows processed
	 */
	private static void assertCompleted(JdbcTemplate jdbc, @Nullable Long pass, @Nullable Long remaining, long rows) {
		Map<String, Object> row = tracking(jdbc);
		assertThat(row.get("status")).isEqualTo("COMPLETED");
		assertThat(asLong(row.get("pass"))).as("pass").isEqualTo(pass);
		assertThat(asLong(row.get("remaining_rows"))).as("remaining_rows").isEqualTo(remaining);
		assertThat(asLong(row.get("rows_processed"))).as("rows_processed").isEqualTo(rows);
	}

	private static @Nullable Long asLong(@Nullable Object value) {
		return (value != null) ? ((Number) value).longValue() : null;
	}

	private static ChunkedInstance instance(TestSchema schema, Queue<ChunkedInstance.Attempt> attempts,
			VerifySettings verify) {
		return new ChunkedInstance(schema, "items_v", List.of("id"), 2, 50, LEASE, attempts, MigrationListener.NONE,
				UNMIGRATED, verify);
	}

	private static void createEvenRows(JdbcTemplate jdbc) {
		jdbc.execute("CREATE TABLE items_v (id BIGINT PRIMARY KEY, counter INT NOT NULL)");
		TestTables.insert(jdbc, "INSERT INTO items_v (id, counter) VALUES (?, 0)", ROWS,
				(i) -> new Object[] { 2L * i });
	}

	/**
	 * Inserts rows behind the chunks' cursors through the test's own connection, committed
	 * at once: {@link #BEHIND_FIRST_CHECKPOINT} while chunk 0's batch after key 100 runs, and
	 * {@link #INSIDE_COMPLETED_CHUNKS} while the first batch of the last chunk (from key
	 * 1752, claimed after chunks 1 and 2) runs, once chunks 1 and 2 have completed. Once each,
	 * whichever instance runs those batches.
	 */
	private static ChunkedInstance.Hook insertingBehindTheCursors(JdbcTemplate testJdbc) {
		AtomicBoolean belowCheckpoint = new AtomicBoolean();
		AtomicBoolean insideCompleted = new AtomicBoolean();
		return (worker, first) -> {
			if (first.equals("102") && belowCheckpoint.compareAndSet(false, true)) {
				insert(testJdbc, BEHIND_FIRST_CHECKPOINT);
			}
			if (first.equals("1752") && insideCompleted.compareAndSet(false, true)) {
				awaitCompleted(testJdbc, Set.of(1, 2));
				insert(testJdbc, INSIDE_COMPLETED_CHUNKS);
			}
		};
	}

	/** Runs {@code passTwo} in the batches of pass 2 (the rows left behind), {@code passOne} in the others. */
	private static ChunkedInstance.Hook inPassTwo(ChunkedInstance.Hook passOne, ChunkedInstance.Hook passTwo) {
		return (worker, first) -> {
			if (isPassTwoBatch(first)) {
				passTwo.run(worker, first);
			}
			else {
				passOne.run(worker, first);
			}
		};
	}

	private static boolean isPassTwoBatch(String firstKey) {
		return Long.parseLong(firstKey) % 2 == 1;
	}

	private static void insert(JdbcTemplate jdbc, List<Long> keys) {
		keys.forEach((id) -> jdbc.update("INSERT INTO items_v (id, counter) VALUES (?, 0)", id));
	}

	private static void awaitCompleted(JdbcTemplate jdbc, Set<Integer> chunks) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (chunks(jdbc).stream()
			.filter((chunk) -> chunks.contains(((Number) chunk.get("chunk")).intValue()))
			.anyMatch((chunk) -> !"COMPLETED".equals(chunk.get("status")))) {
			assertThat(System.nanoTime() - deadline).as("chunks %s completed in time", chunks).isNegative();
			Thread.sleep(20);
		}
	}

	/** Counts the verify pass's count statements an instance prepares. */
	private static Consumer<String> countsOf(AtomicInteger counts) {
		return (sql) -> {
			if (COUNT_SQL.matcher(sql).matches()) {
				counts.incrementAndGet();
			}
		};
	}

	/** Holds the verify pass's count of each instance until the other's is about to run too. */
	private static Consumer<String> beforeCount(CountDownLatch bothCounting) {
		return (sql) -> {
			if (COUNT_SQL.matcher(sql).matches()) {
				bothCounting.countDown();
				Latches.await(bothCounting);
			}
		};
	}

	/** Waits until a session of the test's database waits for a row lock (on MariaDB: runs the next pass's write). */
	private static void awaitLockWait(JdbcTemplate jdbc, TestDatabase database) {
		String sql = switch (database.name()) {
			case "PostgreSQL" -> "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
					+ "AND datname = current_database()";
			// Without the PROCESS privilege: the statement still running, which takes microseconds unless it waits.
			case "MariaDB" -> "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE "
					+ "'UPDATE backfill_migrations SET pass%'";
			default -> "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL";
		};
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (jdbc.queryForObject(sql, Long.class) == 0) {
			assertThat(System.nanoTime() - deadline).as("a session waits for a lock in time").isNegative();
			try {
				Thread.sleep(10);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}
	}

	private static int occurrences(String text, String part) {
		Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
		int found = 0;
		while (matcher.find()) {
			found++;
		}
		return found;
	}

	/** How many rows matching a condition have each counter. */
	private static Map<Integer, Integer> counters(JdbcTemplate jdbc, String condition) {
		Map<Integer, Integer> counts = new TreeMap<>();
		jdbc.query("SELECT counter, COUNT(*) AS n FROM items_v WHERE " + condition + " GROUP BY counter",
				(rs) -> {
					counts.put(rs.getInt("counter"), rs.getInt("n"));
				});
		return counts;
	}

}
