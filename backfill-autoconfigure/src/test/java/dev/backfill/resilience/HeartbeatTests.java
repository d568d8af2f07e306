package dev.backfill.resilience;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.backfill.BackfillMode;
import dev.backfill.internal.runner.MigrationResult.Outcome;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.testsupport.TestDatabase;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.backfill.resilience.InProcessInstance.await;
import static dev.backfill.resilience.Waiting.pause;
import static org.assertj.core.api.Assertions.assertThat;

/** A batch that lasts longer than the lease, while a second instance waits for the migration. */
class HeartbeatTests {

	private static final int ROWS = 300;

	private static final int BATCH_SIZE = 100;

	private static final Duration LEASE = Duration.ofSeconds(3);

	/** How long batch 2 keeps working: twice the lease. */
	private static final Duration LONG_BATCH = LEASE.multipliedBy(2);

	private static final Duration WAIT = Duration.ofSeconds(30);

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	void batchLongerThanTheLeaseKeepsItWhileASecondInstanceWaitsAndNeverTakesOver(TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS);
				InProcessInstance owner = InProcessInstance.create(db, BATCH_SIZE, LEASE);
				InProcessInstance waiter = InProcessInstance.create(db, BATCH_SIZE, LEASE)) {
			// Many short statements: busy all along, never idle long enough for the idle guard.
			String shortStatement = "PostgreSQL".equals(db.databaseName()) ? "SELECT pg_sleep(0.2)" : "SELECT SLEEP(0.2)";
			CountDownLatch longBatchStarted = new CountDownLatch(1);
			CountDownLatch longBatchEnded = new CountDownLatch(1);
			AtomicLong longBatchMillis = new AtomicLong();
			owner.afterWrites((id) -> {
				if (id == BATCH_SIZE + 1) {
					longBatchStarted.countDown();
					long started = System.nanoTime();
					while (System.nanoTime() - started < LONG_BATCH.toNanos()) {
						owner.jdbc().queryForList(shortStatement);
					}
					longBatchMillis.set(Duration.ofNanos(System.nanoTime() - started).toMillis());
					longBatchEnded.countDown();
				}
			});
			AtomicInteger waiterBatches = new AtomicInteger();
			waiter.beforeWrites((id) -> waiterBatches.incrementAndGet());

			owner.start(BackfillMode.BLOCKING);
			await(longBatchStarted, "the owner to start its long batch", WAIT);
			waiter.start(BackfillMode.BLOCKING);
			Set<Object> leaseOwners = new HashSet<>();
			Set<Object> leaseExpiries = new HashSet<>();
			while (longBatchEnded.getCount() > 0) {
				Map<String, Object> tracking = db.tracking();
				leaseOwners.add(tracking.get("lease_owner"));
				leaseExpiries.add(tracking.get("lease_expires_at"));
				pause(Duration.ofMillis(100));
			}
			MigrationResult ownerResult = owner.awaitResult(WAIT);
			MigrationResult waiterResult = waiter.awaitResult(WAIT);

			assertThat(leaseOwners).as("lease owners seen during the long batch").containsExactly(owner.owner());
			// The heartbeat renewed the lease during the batch, since no checkpoint did.
			int renewals = leaseExpiries.size() - 1;
			assertThat(renewals).as("lease renewals during the %d ms batch", longBatchMillis.get())
				.isGreaterThanOrEqualTo(2);
			assertThat(ownerResult.outcome()).isEqualTo(Outcome.COMPLETED);
			assertThat(ownerResult.batches()).isEqualTo(ROWS / BATCH_SIZE);
			assertThat(waiterResult.outcome()).as("outcome on the waiting instance")
				.isEqualTo(Outcome.ALREADY_COMPLETED);
			assertThat(waiterBatches).as("batches the waiting instance ran").hasValue(0);
			db.assertEveryRowMigratedExactlyOnce();
			List<FixtureDatabase.Batch> batches = db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
			assertThat(batches).extracting(FixtureDatabase.Batch::owner).containsOnly(owner.owner());
			System.out.printf("RESILIENCE [%s] heartbeat: batch 2 busy for %d ms under a %d ms lease, lease renewed %d "
					+ "times meanwhile by the heartbeat, the waiting instance never took over (%s), all %d batches by "
					+ "the first owner%n", db.databaseName(), longBatchMillis.get(), LEASE.toMillis(), renewals,
					waiterResult.outcome(), batches.size());
		}
	}

}
