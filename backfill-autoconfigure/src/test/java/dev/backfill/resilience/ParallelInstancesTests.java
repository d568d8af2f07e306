package dev.backfill.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import dev.backfill.testsupport.TestDatabase;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static dev.backfill.resilience.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two fixture JVMs of two workers each share one migration in chunks; one is killed
 * mid-run and the other finishes every chunk, the dead one's after their leases expire.
 * Every row is migrated exactly once, every chunk completes, and no chunk is ever run by
 * two live workers at once: by the attempt log, written outside the batches'
 * transactions, no two workers' attempts at one chunk overlap in time (an attempt of the
 * killed process lasting until the kill).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ParallelInstancesTests {

	private static final int ROWS = 500_000;

	private static final String[] PROPERTIES = { "backfill.batch-size=1000", "backfill.throttle=0ms",
			"backfill.lease-duration=2s", "backfill.parallelism=2", "spring.datasource.hikari.maximum-pool-size=4",
			AttemptLog.PROPERTY + "=true" };

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void fourWorkersInTwoProcessesOneKilledMigrateEveryRowOnceAndNeverRunAChunkTwiceAtOnce(TestDatabase database) {
		long started = System.nanoTime();
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS);
				FixtureProcesses apps = new FixtureProcesses(db, "chunks")) {
			JdbcTemplate jdbc = db.schema().jdbc();
			AttemptLog.createTable(jdbc);
			FixtureProcess killed = apps.start(PROPERTIES);
			FixtureProcess survivor = apps.start(PROPERTIES);
			// Both at work, well before the end: then the kill leaves chunks half done.
			await("both processes committed 20 batches", Duration.ofSeconds(90), survivor,
					() -> committedBy(jdbc, killed) >= 20 && committedBy(jdbc, survivor) >= 20);
			killed.kill();
			long killedAtUs = FixtureApplication.nowMicros();
			assertThat(status(jdbc)).as("migration status at the kill").isEqualTo("RUNNING");
			assertThat(survivor.awaitExit(Duration.ofSeconds(150))).as("exit code of the survivor").isZero();

			assertThat(jdbc.queryForList("SELECT counter, COUNT(*) AS n FROM fixture_rows GROUP BY counter"))
				.as("rows by counter")
				.singleElement()
				.satisfies((row) -> {
					assertThat(((Number) value(row, "counter")).intValue()).isOne();
					assertThat(((Number) value(row, "n")).intValue()).isEqualTo(ROWS);
				});
			List<Map<String, Object>> chunks = jdbc.queryForList(
					"SELECT chunk, range_start, range_end, status FROM backfill_migrations_chunks ORDER BY chunk");
			assertThat(chunks).hasSize(8);
			assertThat(chunks).allSatisfy((chunk) -> assertThat(value(chunk, "status")).isEqualTo("COMPLETED"));
			Map<String, Object> tracking = db.tracking();
			assertThat(tracking.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) tracking.get("rows_processed")).longValue()).isEqualTo(ROWS);

			List<Attempt> attempts = jdbc.query("SELECT worker, first_id, started_us, ended_us, outcome "
					+ "FROM fixture_attempts", (rs, i) -> new Attempt(rs.getString(1), rs.getLong(2), rs.getLong(3),
							(rs.getObject(4) != null) ? rs.getLong(4) : killedAtUs, rs.getString(5)));
			assertThat(attempts).filteredOn((attempt) -> attempt.outcome() == null)
				.as("attempts without an end")
				.allMatch((attempt) -> killed.owns(attempt.worker()));
			Map<Integer, List<Attempt>> byChunk = byChunk(attempts, chunks);
			byChunk.forEach((chunk, ofChunk) -> assertNoOverlapBetweenWorkers(chunk, ofChunk));
			// The killed process's half-done chunks were finished by the survivor.
			assertThat(byChunk.values()).anyMatch((ofChunk) -> ofChunk.stream().anyMatch((a) -> killed.owns(a.worker()))
					&& ofChunk.stream().anyMatch((a) -> survivor.owns(a.worker())));
			System.out.printf("RESILIENCE [%s] chunks: 4 workers in 2 processes, one killed, %d rows each migrated "
					+ "once over %d chunks, %d attempts, no chunk run by two workers at once, %d ms%n",
					db.databaseName(), ROWS, chunks.size(), attempts.size(),
					Duration.ofNanos(System.nanoTime() - started).toMillis());
		}
	}

	private static int committedBy(JdbcTemplate jdbc, FixtureProcess process) {
		Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM fixture_batches WHERE owner LIKE ?",
				Integer.class, process.pid() + "@%");
		return (count != null) ? count : 0;
	}

	private static String status(JdbcTemplate jdbc) {
		return jdbc.queryForObject("SELECT status FROM backfill_migrations", String.class);
	}

	private static Object value(Map<String, Object> row, String column) {
		Map<String, Object> insensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
		insensitive.putAll(row);
		return insensitive.get(column);
	}

	private static Map<Integer, List<Attempt>> byChunk(List<Attempt> attempts, List<Map<String, Object>> chunks) {
		Map<Integer, List<Attempt>> byChunk = new TreeMap<>();
		for (Attempt attempt : attempts) {
			int chunk = -1;
			for (Map<String, Object> row : chunks) {
				Object start = value(row, "range_start");
				Object end = value(row, "range_end");
				if ((start == null || attempt.firstId() >= Long.parseLong(start.toString()))
						&& (end == null || attempt.firstId() < Long.parseLong(end.toString()))) {
					chunk = ((Number) value(row, "chunk")).intValue();
				}
			}
			byChunk.computeIfAbsent(chunk, (c) -> new ArrayList<>()).add(attempt);
		}
		assertThat(byChunk).doesNotContainKey(-1);
		return byChunk;
	}

	private static void assertNoOverlapBetweenWorkers(int chunk, List<Attempt> attempts) {
		for (Attempt a : attempts) {
			for (Attempt b : attempts) {
				if (!a.worker().equals(b.worker())) {
					assertThat(a.startedUs() >= b.endedUs() || b.startedUs() >= a.endedUs())
						.as("chunk %d: attempts %s and %s overlap", chunk, a, b)
						.isTrue();
				}
			}
		}
	}

	record Attempt(String worker, long firstId, long startedUs, long endedUs, String outcome) {
	}

}
