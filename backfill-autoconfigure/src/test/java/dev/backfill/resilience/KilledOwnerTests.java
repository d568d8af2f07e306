package dev.backfill.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import dev.backfill.testsupport.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.backfill.resilience.Waiting.await;
import static dev.backfill.resilience.Waiting.pause;
import static org.assertj.core.api.Assertions.assertThat;

/** SIGKILL to the instance running a migration, again and again. */
class KilledOwnerTests {

	private static final int ROWS = 200_000;

	private static final int BATCH_SIZE = 1000;

	private static final int KILLS = 5;

	private static final String[] PROPERTIES = { "backfill.batch-size=" + BATCH_SIZE, "backfill.throttle=20ms",
			"backfill.lease-duration=2s" };

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void everyRowIsMigratedExactlyOnceThroughFiveSigkillsAtRandomPointsEachFollowedByARestart(TestDatabase database) {
		long seed = System.nanoTime();
		Random random = new Random(seed);
		List<Long> killPoints = killPoints(random);
		long started = System.nanoTime();
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS);
				FixtureProcesses apps = new FixtureProcesses(db, "kill9");
				TrackingSampler tracking = TrackingSampler.start(db)) {
			List<Long> killedAt = new ArrayList<>();
			FixtureProcess app = apps.start(PROPERTIES);
			for (long point : killPoints) {
				FixtureProcess owner = app;
				// Each run commits at least one batch of its own before it dies.
				long target = Math.max(point, killedAt.isEmpty() ? 1 : killedAt.get(killedAt.size() - 1) + 1);
				await("batch " + target + " committed by " + owner, Duration.ofSeconds(60), owner,
						() -> owner.owns(tracking.leaseOwner()) && tracking.batches() >= target);
				// Anywhere in a batch's cycle: reading, migrating, committing or pausing.
				pause(Duration.ofMillis(random.nextInt(40)));
				owner.kill();
				Map<String, Object> dead = db.tracking();
				assertThat(dead.get("status")).as("status when %s was killed", owner).isEqualTo("RUNNING");
				assertThat(owner.owns(dead.get("lease_owner"))).as("lease left behind by %s", owner).isTrue();
				killedAt.add(((Number) dead.get("batches")).longValue());
				app = apps.start(PROPERTIES);
			}
			assertThat(app.awaitExit(Duration.ofSeconds(120))).as("exit code of the last restart").isZero();

			db.assertEveryRowMigratedExactlyOnce();
			List<FixtureDatabase.Batch> batches = db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
			assertThat(batches).hasSize(ROWS / BATCH_SIZE);
			assertThat(batches.stream().map(FixtureDatabase.Batch::owner).distinct()).as("owners that committed")
				.hasSize(KILLS + 1);
			int samples = tracking.assertCheckpointNeverMovedBackwards();
			System.out.printf("RESILIENCE [%s] kill -9: %d SIGKILLs survived at batches %s of %d (random seed %d), "
					+ "%d runs, %d rows each migrated exactly once, status COMPLETED, checkpoint monotonic over %d "
					+ "samples, %d ms%n", db.databaseName(), killedAt.size(), killedAt, ROWS / BATCH_SIZE, seed,
					apps.all().size(), ROWS, samples, Duration.ofNanos(System.nanoTime() - started).toMillis());
		}
	}

	/** Five distinct batch counts spread at random over the run, at least 5 apart. */
	private static List<Long> killPoints(Random random) {
		TreeSet<Long> points = new TreeSet<>();
		while (points.size() < KILLS) {
			long point = 2 + random.nextInt(ROWS / BATCH_SIZE - 12);
			Long below = points.floor(point);
			Long above = points.ceiling(point);
			if ((below == null || point - below >= 5) && (above == null || above - point >= 5)) {
				points.add(point);
			}
		}
		return List.copyOf(points);
	}

}
