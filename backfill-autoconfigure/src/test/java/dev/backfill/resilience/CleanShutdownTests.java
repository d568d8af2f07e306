package dev.backfill.resilience;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import dev.backfill.testsupport.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.backfill.resilience.Waiting.await;
import static dev.backfill.resilience.Waiting.pause;
import static org.assertj.core.api.Assertions.assertThat;

/** SIGTERM to an application in the middle of a migration. */
class CleanShutdownTests {

	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void sigtermStopsAfterTheBatchInFlightWithinTheShutdownTimeoutLeavingItPendingAndARestartCompletes(
			TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, 20_000);
				FixtureProcesses apps = new FixtureProcesses(db, "sigterm");
				TrackingSampler tracking = TrackingSampler.start(db)) {
			// Batches hold their locks 100 ms, so the signal most likely lands inside one.
			FixtureProcess first = apps.start("backfill.mode=background", "backfill.batch-size=200",
					"backfill.throttle=20ms", "fixture.hold=100ms", "backfill.lease-duration=3s",
					"spring.lifecycle.timeout-per-shutdown-phase=" + SHUTDOWN_TIMEOUT.toMillis() + "ms");
			await("the first application to commit 5 batches", Duration.ofSeconds(60), first,
					() -> first.owns(tracking.leaseOwner()) && tracking.batches() >= 5);
			pause(Duration.ofMillis(ThreadLocalRandom.current().nextInt(300)));
			long signalled = System.nanoTime();
			first.terminate();
			int exitCode = first.awaitExit(SHUTDOWN_TIMEOUT.plusSeconds(10));
			Duration shutdown = Duration.ofNanos(System.nanoTime() - signalled);
			assertThat(shutdown).as("time from SIGTERM to exit").isLessThan(SHUTDOWN_TIMEOUT);

			Map<String, Object> stopped = db.tracking();
			assertThat(stopped.get("status")).isEqualTo("PENDING");
			assertThat(stopped.get("lease_owner")).isNull();
			assertThat(stopped.get("lease_expires_at")).isNull();
			long lastKey = Long.parseLong(stopped.get("last_key").toString());
			assertThat(lastKey).isBetween(1L, db.rows() - 1L);
			assertThat(first.log()).contains("Backfill migration 'fixtureRows' stopped after");
			// The batch in flight committed whole with its checkpoint: exactly the rows up to
			// the checkpoint are migrated.
			assertThat(db.jdbc()
				.queryForObject("SELECT COUNT(*) FROM fixture_rows WHERE (id <= ? AND counter <> 1) "
						+ "OR (id > ? AND counter <> 0)", Integer.class, lastKey, lastKey)).isZero();

			FixtureProcess restart = apps.start("backfill.batch-size=200", "backfill.throttle=0",
					"backfill.lease-duration=3s");
			assertThat(restart.awaitExit(Duration.ofSeconds(60))).as("exit code of the restart").isZero();
			assertThat(restart.log()).contains("resuming after key " + lastKey);
			db.assertEveryRowMigratedExactlyOnce();
			db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
			tracking.assertCheckpointNeverMovedBackwards();
			System.out.printf("RESILIENCE [%s] clean shutdown: SIGTERM after key %d, exited in %d ms (exit code %d, "
					+ "timeout %d ms), status PENDING, restart completed all %d rows once%n", db.databaseName(),
					lastKey, shutdown.toMillis(), exitCode, SHUTDOWN_TIMEOUT.toMillis(), db.rows());
		}
	}

}
