package dev.backfill.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import dev.backfill.autoconfigure.BackfillSchemaInitializer;
import dev.backfill.testsupport.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.sql.init.DatabaseInitializationMode;

import static dev.backfill.resilience.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Several instances of one application on one database at the same time. */
class ConcurrentInstancesTests {

	private static final int ROWS = 30_000;

	private static final int BATCH_SIZE = 500;

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void threeInstancesStartedAtOnceCommitEachBatchOnceAndNeverRunBatchesAtTheSameTime(TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS);
				FixtureProcesses apps = new FixtureProcesses(db, "three");
				TrackingSampler tracking = TrackingSampler.start(db)) {
			String[] properties = { "backfill.batch-size=" + BATCH_SIZE, "backfill.throttle=20ms",
					"fixture.hold=20ms", "backfill.lease-duration=3s" };
			for (int i = 0; i < 3; i++) {
				apps.start(properties);
			}
			// One runs while the other two wait; stopping the runner hands over to a waiting one,
			// twice, so that all three commit batches.
			List<FixtureProcess> handedOver = new ArrayList<>();
			for (int handover = 0; handover < 2; handover++) {
				long from = tracking.batches();
				await("an instance not yet stopped to commit 10 batches", Duration.ofSeconds(60), null, () -> {
					FixtureProcess owner = apps.owning(tracking.leaseOwner());
					return owner != null && !handedOver.contains(owner) && tracking.batches() >= from + 10;
				});
				FixtureProcess owner = apps.owning(tracking.leaseOwner());
				owner.terminate();
				owner.awaitExit(Duration.ofSeconds(20));
				handedOver.add(owner);
			}
			for (FixtureProcess app : apps.all()) {
				if (!handedOver.contains(app)) {
					assertThat(app.awaitExit(Duration.ofSeconds(60))).as("exit code of %s", app).isZero();
				}
			}

			db.assertEveryRowMigratedExactlyOnce();
			List<FixtureDatabase.Batch> batches = db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
			Set<String> owners = batches.stream().map(FixtureDatabase.Batch::owner).collect(Collectors.toSet());
			assertThat(owners).hasSize(3);
			for (FixtureProcess app : apps.all()) {
				assertThat(owners).anyMatch(app::owns);
			}
			int samples = tracking.assertCheckpointNeverMovedBackwards();
			System.out.printf("RESILIENCE [%s] three instances: %d batches of %d rows committed once each by %d "
					+ "owners (%s), no two owners' batches overlapping in time, every counter 1, checkpoint "
					+ "monotonic over %d samples%n", db.databaseName(), batches.size(), BATCH_SIZE, owners.size(),
					owners.stream()
						.map((owner) -> owner + "=" + batches.stream().filter((b) -> b.owner().equals(owner)).count())
						.collect(Collectors.joining(", ")),
					samples);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void instancesStartingAtOnceAllCreateTheTrackingTableWithoutFailing(TestDatabase database) throws Exception {
		int instances = 3;
		int rounds = 20;
		try (FixtureDatabase db = FixtureDatabase.create(database, 0);
				HikariDataSource dataSource = db.schema().newDataSource(instances)) {
			ExecutorService executor = Executors.newFixedThreadPool(instances);
			try {
				for (int round = 1; round <= rounds; round++) {
					BackfillSchemaInitializer initializer = new BackfillSchemaInitializer(dataSource,
							"tracking_" + round, DatabaseInitializationMode.ALWAYS);
					CyclicBarrier start = new CyclicBarrier(instances);
					List<Future<Boolean>> creations = new ArrayList<>();
					for (int i = 0; i < instances; i++) {
						creations.add(executor.submit(() -> {
							start.await();
							return initializer.initialize(dataSource);
						}));
					}
					for (Future<Boolean> creation : creations) {
						assertThat(creation.get()).isTrue();
					}
				}
			}
			finally {
				executor.shutdownNow();
			}
			System.out.printf("RESILIENCE [%s] tracking table created by %d instances at once, %d times, "
					+ "without a failure%n", db.databaseName(), instances, rounds);
		}
	}

}
