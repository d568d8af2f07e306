package dev.backfill.resilience;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.backfill.testsupport.TestDatabase;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A process that dies at an exact point of a batch (placed by {@code fixture.die}):
 * inside {@code migrate} after its writes, just before the batch's commit (after its
 * checkpoint's {@code UPDATE}), and just after it; each time restarted.
 */
class CrashPointTests {

	private static final int ROWS = 1000;

	private static final int BATCH_SIZE = 100;

	private static final String[] PROPERTIES = { "backfill.batch-size=" + BATCH_SIZE, "backfill.throttle=20ms",
			"backfill.lease-duration=2s" };

	private static final Duration EXIT = Duration.ofSeconds(60);

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	@Timeout(value = 240, unit = TimeUnit.SECONDS)
	void deathInsideMigrateJustBeforeAndJustAfterTheCommitEachResumeWithEveryRowOnce(TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS);
				FixtureProcesses apps = new FixtureProcesses(db, "crashpoint")) {
			// Batch 3 (keys 201-300): written, never committed.
			FixtureProcess inMigrate = dieAt(apps, "in-migrate", 3);
			assertCheckpoint(db, 2, 200);
			// Its second batch, batch 4 (301-400): written and checkpointed, never committed.
			FixtureProcess beforeCommit = dieAt(apps, "before-commit", 2);
			assertCheckpoint(db, 3, 300);
			// Its second batch, batch 5 (401-500): committed, then the process died.
			FixtureProcess afterCommit = dieAt(apps, "after-commit", 2);
			assertCheckpoint(db, 5, 500);
			FixtureProcess last = apps.start(PROPERTIES);
			assertThat(last.awaitExit(EXIT)).as("exit code of the last restart").isZero();

			assertThat(beforeCommit.log()).contains("resuming after key 200");
			assertThat(afterCommit.log()).contains("resuming after key 300");
			assertThat(last.log()).contains("resuming after key 500");
			db.assertEveryRowMigratedExactlyOnce();
			List<FixtureDatabase.Batch> batches = db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
			assertThat(batches).hasSize(ROWS / BATCH_SIZE);
			// The batches that died uncommitted were redone by the next process; the one that
			// died committed was not.
			assertThat(owner(apps, batches, 2)).as("owner of batch 3 (died in migrate)").isSameAs(beforeCommit);
			assertThat(owner(apps, batches, 3)).as("owner of batch 4 (died before commit)").isSameAs(afterCommit);
			assertThat(owner(apps, batches, 4)).as("owner of batch 5 (died after commit)").isSameAs(afterCommit);
			assertThat(owner(apps, batches, 5)).as("owner of batch 6").isSameAs(last);
			assertThat(batches).noneMatch((batch) -> inMigrate.owns(batch.owner()) && batch.firstId() > 200);
			System.out.printf("RESILIENCE [%s] crash points: died inside migrate (batch 3), just before the commit "
					+ "(batch 4) and just after it (batch 5), restarted each time: batches 3 and 4 redone by the next "
					+ "process, batch 5 not; %d batches each committed once, %d rows each migrated exactly once, "
					+ "%d processes%n", db.databaseName(), batches.size(), ROWS, apps.all().size());
		}
	}

	/** Starts a process that dies at {@code point} of its {@code batch}-th batch, and waits for its death. */
	private static FixtureProcess dieAt(FixtureProcesses apps, String point, int batch) {
		String[] properties = new String[PROPERTIES.length + 2];
		System.arraycopy(PROPERTIES, 0, properties, 0, PROPERTIES.length);
		properties[PROPERTIES.length] = "fixture.die=" + point;
		properties[PROPERTIES.length + 1] = "fixture.die-at-batch=" + batch;
		FixtureProcess process = apps.start(properties);
		assertThat(process.awaitExit(EXIT)).as("exit code of %s, dying %s", process, point)
			.isEqualTo(FixtureApplication.DIED);
		return process;
	}

	/** Asserts the checkpoint a dead process left, and that exactly the rows up to it are migrated. */
	private static void assertCheckpoint(FixtureDatabase db, long batches, long lastKey) {
		Map<String, Object> tracking = db.tracking();
		assertThat(tracking.get("status")).isEqualTo("RUNNING");
		assertThat(((Number) tracking.get("batches")).longValue()).as("batches committed").isEqualTo(batches);
		assertThat(tracking.get("last_key")).isEqualTo(Long.toString(lastKey));
		assertThat(db.counters(1, lastKey)).containsExactly(Map.entry(1, (int) lastKey));
		assertThat(db.counters(lastKey + 1, ROWS)).containsExactly(Map.entry(0, ROWS - (int) lastKey));
		assertThat(db.committedBatches()).hasSize((int) batches);
	}

	private static FixtureProcess owner(FixtureProcesses apps, List<FixtureDatabase.Batch> batches, int index) {
		return apps.owning(batches.get(index).owner());
	}

}
