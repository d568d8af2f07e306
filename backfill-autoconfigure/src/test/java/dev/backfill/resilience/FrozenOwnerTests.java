package dev.backfill.resilience;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import dev.backfill.testsupport.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.backfill.resilience.Waiting.await;
import static dev.backfill.resilience.Waiting.pause;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** SIGSTOP to the instance running a migration, in the middle of a batch, past its lease. */
class FrozenOwnerTests {

	private static final int ROWS = 20_000;

	private static final int BATCH_SIZE = 500;

	private static final Duration LEASE = Duration.ofSeconds(2);

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void frozenOwnerIsTakenOverWithoutBlockingOnItsLocksAndItsInFlightBatchIsRefusedOnResume(TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS);
				FixtureProcesses apps = new FixtureProcesses(db, "sigstop");
				TrackingSampler tracking = TrackingSampler.start(db)) {
			// The first owner's batches hold their row locks 300 ms before they finish.
			FixtureProcess frozen = apps.start("backfill.batch-size=" + BATCH_SIZE, "backfill.throttle=20ms",
					"backfill.lease-duration=" + LEASE.toMillis() + "ms", "fixture.hold=300ms");
			await("2 batches committed by " + frozen, Duration.ofSeconds(60), frozen,
					() -> frozen.owns(tracking.leaseOwner()) && tracking.batches() >= 2);
			long checkpoint = freezeInsideABatch(frozen, db);
			long frozenAt = System.nanoTime();

			FixtureProcess taker = apps.start("backfill.batch-size=" + BATCH_SIZE, "backfill.throttle=20ms",
					"backfill.lease-duration=" + LEASE.toMillis() + "ms");
			// The idle-transaction guard: the server ends the frozen owner's transaction, whose
			// locks would otherwise block the instance taking over for as long as it is frozen.
			await("the frozen owner's lock on row " + (checkpoint + 1) + " to be freed", LEASE.plusSeconds(3), null,
					Duration.ofMillis(50), () -> !db.rowLocked(checkpoint + 1));
			long guardMillis = Duration.ofNanos(System.nanoTime() - frozenAt).toMillis();
			assertThat(taker.awaitExit(Duration.ofSeconds(60))).as("exit code of the instance taking over").isZero();
			long takeoverMillis = Duration.ofNanos(System.nanoTime() - frozenAt).toMillis();
			assertThat(frozen.isAlive()).as("the frozen owner is still there, frozen").isTrue();
			assertThat(db.tracking().get("status")).isEqualTo("COMPLETED");
			assertThat(taker.log()).contains("resuming after key " + checkpoint);

			frozen.resume();
			int exitCode = frozen.awaitExit(Duration.ofSeconds(30));
			assertThat(exitCode).as("exit code of the resumed owner, which finds the migration completed").isZero();
			db.assertEveryRowMigratedExactlyOnce();
			List<FixtureDatabase.Batch> batches = db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
			String frozenOwner = batches.get(0).owner();
			assertThat(frozen.owns(frozenOwner)).isTrue();
			// On resuming, the frozen owner learns it lost the lease, and claims nothing.
			assertThat(frozen.log()).contains("is no longer leased to " + frozenOwner)
				.doesNotContain("Backfill migration 'fixtureRows' completed");
			assertThat(batches).filteredOn((batch) -> batch.owner().equals(frozenOwner))
				.as("batches committed by the frozen owner")
				.allSatisfy((batch) -> assertThat(batch.lastId()).isLessThanOrEqualTo(checkpoint));
			assertThat(batches).filteredOn((batch) -> batch.firstId() == checkpoint + 1)
				.singleElement()
				.satisfies((batch) -> assertThat(taker.owns(batch.owner())).isTrue());
			int samples = tracking.assertCheckpointNeverMovedBackwards();
			System.out.printf("RESILIENCE [%s] SIGSTOP: owner frozen inside batch %d (rows %d..%d locked), lease %d ms; "
					+ "server ended its transaction after %d ms; the other instance took over and completed %d ms "
					+ "after the freeze; after SIGCONT the frozen owner's batch was refused (exit code %d), every "
					+ "counter 1, checkpoint monotonic over %d samples%n", db.databaseName(),
					checkpoint / BATCH_SIZE + 1, checkpoint + 1, checkpoint + BATCH_SIZE, LEASE.toMillis(),
					guardMillis, takeoverMillis, exitCode, samples);
		}
	}

	/**
	 * Freezes the owner at a moment its batch holds row locks: after the checkpoint's next
	 * row is locked.
	 * @return the checkpoint (last key) the frozen batch started from
	 */
	private static long freezeInsideABatch(FixtureProcess owner, FixtureDatabase db) {
		for (int attempt = 1; attempt <= 50; attempt++) {
			pause(Duration.ofMillis(ThreadLocalRandom.current().nextInt(100)));
			owner.freeze();
			Map<String, Object> row = db.tracking();
			long checkpoint = Long.parseLong(row.get("last_key").toString());
			if (db.rowLocked(checkpoint + 1)) {
				return checkpoint;
			}
			owner.resume();
		}
		return fail("Could not freeze %s inside a batch", owner);
	}

}
