package dev.backfill.resilience;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.backfill.BackfillMode;
import dev.backfill.internal.runner.MigrationResult.Outcome;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.backfill.resilience.InProcessInstance.await;
import static dev.backfill.resilience.InProcessInstance.busyUntil;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checkpoint's two fences, each on its own: the lease owner ({@code lease_owner = ?})
 * and the batch count it last saw ({@code batches = ?}). The lease is taken from a live
 * owner while its batch's transaction is open and busy, well within the idle-transaction
 * timeout (a 60 s lease), so only the fence can refuse that batch.
 */
class FencingTests {

	/** Ten batches, the last one short, so that it completes the migration. */
	private static final int ROWS = 950;

	private static final int BATCH_SIZE = 100;

	private static final Duration LEASE = Duration.ofSeconds(60);

	private static final Duration WAIT = Duration.ofSeconds(30);

	/** The first id of batch 3, the batch the lease is taken in where no batch is given. */
	private static final long TAKEN = 201;

	/** Each server, with a batch that ends in a checkpoint (3) and the last one, which completes (10). */
	static Stream<Arguments> serversAndTakenBatches() {
		return TestDatabases.servers()
			.flatMap((database) -> Stream.of(Arguments.of(database, 3), Arguments.of(database, 10)));
	}

	@ParameterizedTest(name = "{0}, batch {1}")
	@MethodSource("serversAndTakenBatches")
	@Timeout(value = 90, unit = TimeUnit.SECONDS)
	void ownerWhoseLeaseIsTakenMidBatchIsRefusedByTheOwnerFenceBeforeTheNewOwnerCheckpoints(TestDatabase database,
			int takenBatch) {
		long taken = (long) (takenBatch - 1) * BATCH_SIZE + 1;
		long takenLast = Math.min(taken + BATCH_SIZE - 1, ROWS);
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS);
				InProcessInstance first = InProcessInstance.create(db, BATCH_SIZE, LEASE);
				InProcessInstance second = InProcessInstance.create(db, BATCH_SIZE, LEASE)) {
			CountDownLatch firstWrote = new CountDownLatch(1);
			CountDownLatch firstMayCheckpoint = new CountDownLatch(1);
			CountDownLatch secondInBatch = new CountDownLatch(1);
			CountDownLatch secondMayWrite = new CountDownLatch(1);
			AtomicInteger busyStatements = new AtomicInteger();
			// The first owner writes the batch (holding its rows' locks), then keeps working.
			first.afterWrites((id) -> {
				if (id == taken) {
					firstWrote.countDown();
					busyStatements.set(busyUntil(firstMayCheckpoint, first.jdbc(), "SELECT 1", WAIT));
				}
			});
			// The second owner has read the batch and holds the lease, but has written nothing.
			second.beforeWrites((id) -> {
				if (id == taken) {
					secondInBatch.countDown();
					await(secondMayWrite, "the first owner's batch to end", WAIT);
				}
			});
			first.start(BackfillMode.BACKGROUND);
			await(firstWrote, "the first owner to write batch " + takenBatch, WAIT);
			db.expireLease();
			second.start(BackfillMode.BLOCKING);
			await(secondInBatch, "the second owner to take over and read batch " + takenBatch, WAIT);
			Map<String, Object> takenOver = db.tracking();
			assertThat(takenOver.get("lease_owner")).isEqualTo(second.owner());
			// Only the owner fence tells the two apart: the batch count is still the one both saw.
			assertThat(((Number) takenOver.get("batches")).longValue()).isEqualTo(takenBatch - 1);

			firstMayCheckpoint.countDown();
			MigrationResult firstResult = first.awaitResult(WAIT);
			assertThat(firstResult.outcome()).as("outcome on the first owner").isEqualTo(Outcome.RUNNING_ELSEWHERE);
			assertThat(firstResult.batches()).as("batches the first owner committed").isEqualTo(takenBatch - 1);
			// Its batch rolled back whole: its counters and its batch record with its refused checkpoint.
			assertThat(db.counters(taken, takenLast)).containsExactly(Map.entry(0, (int) (takenLast - taken + 1)));
			assertThat(db.committedBatches()).hasSize(takenBatch - 1);
			Map<String, Object> refused = db.tracking();
			assertThat(((Number) refused.get("batches")).longValue()).isEqualTo(takenBatch - 1);
			assertThat(refused.get("status")).isEqualTo("RUNNING");

			secondMayWrite.countDown();
			MigrationResult secondResult = second.awaitResult(WAIT);
			assertThat(secondResult.outcome()).as("outcome on the second owner").isEqualTo(Outcome.COMPLETED);
			db.assertEveryRowMigratedExactlyOnce();
			List<FixtureDatabase.Batch> batches = db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
			assertOwners(batches, first.owner(), second.owner(), takenBatch - 1);
			System.out.printf("RESILIENCE [%s] fencing, lease taken mid-batch, new owner not yet checkpointed: "
					+ "the first owner's batch %d of %d (busy, %d statements after its writes, lease %d s) was refused "
					+ "by the owner fence and rolled back; the rest committed by the second owner, %d rows each "
					+ "migrated exactly once%n", db.databaseName(), takenBatch, batches.size(), busyStatements.get(),
					LEASE.toSeconds(), ROWS);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	@Timeout(value = 90, unit = TimeUnit.SECONDS)
	void batchAlreadyCheckpointedByTheNewOwnerIsRefusedByTheBatchCountFenceEvenWithTheLeaseBack(
			TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS);
				InProcessInstance first = InProcessInstance.create(db, BATCH_SIZE, LEASE);
				InProcessInstance second = InProcessInstance.create(db, BATCH_SIZE, LEASE);
				InProcessInstance third = InProcessInstance.create(db, BATCH_SIZE, LEASE)) {
			CountDownLatch firstInBatch = new CountDownLatch(1);
			CountDownLatch firstMayWrite = new CountDownLatch(1);
			AtomicInteger busyStatements = new AtomicInteger();
			// The first owner has read batch 3 and keeps working before it writes.
			first.beforeWrites((id) -> {
				if (id == TAKEN) {
					firstInBatch.countDown();
					busyStatements.set(busyUntil(firstMayWrite, first.jdbc(), "SELECT 1", WAIT));
				}
			});
			// The second owner commits batch 3 and gives the lease up.
			second.afterWrites((id) -> second.stop());
			first.start(BackfillMode.BACKGROUND);
			await(firstInBatch, "the first owner to read batch 3", WAIT);
			db.expireLease();
			MigrationResult secondResult = second.start(BackfillMode.BLOCKING).awaitResult(WAIT);
			assertThat(secondResult.outcome()).as("outcome on the second owner").isEqualTo(Outcome.STOPPED);
			assertThat(secondResult.batches()).isOne();
			// The first owner holds the lease again, so only the batch count tells its batch is stale.
			assertThat(db.store().tryAcquire(FixtureApplication.MIGRATION, first.owner(), LEASE)).isTrue();

			firstMayWrite.countDown();
			MigrationResult firstResult = first.awaitResult(WAIT);
			assertThat(firstResult.outcome()).as("outcome on the first owner").isEqualTo(Outcome.RUNNING_ELSEWHERE);
			assertThat(firstResult.batches()).as("batches the first owner committed").isEqualTo(2);
			assertThat(db.counters(TAKEN, TAKEN + BATCH_SIZE - 1)).containsExactly(Map.entry(1, BATCH_SIZE));
			Map<String, Object> tracking = db.tracking();
			assertThat(((Number) tracking.get("batches")).longValue()).isEqualTo(3);
			assertThat(tracking.get("last_key")).isEqualTo("300");

			assertThat(db.store().release(FixtureApplication.MIGRATION, first.owner())).isTrue();
			MigrationResult thirdResult = third.start(BackfillMode.BLOCKING).awaitResult(WAIT);
			assertThat(thirdResult.outcome()).isEqualTo(Outcome.COMPLETED);
			db.assertEveryRowMigratedExactlyOnce();
			List<FixtureDatabase.Batch> batches = db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
			assertOwners(batches, first.owner(), second.owner(), 2);
			assertThat(batches.subList(3, batches.size())).allSatisfy(
					(batch) -> assertThat(batch.owner()).as("owner of batches 4-10").isEqualTo(third.owner()));
			System.out.printf("RESILIENCE [%s] fencing, new owner checkpointed first, lease back with the old owner: "
					+ "the old owner's batch 3 (busy, %d statements before its writes) was refused by the batch-count "
					+ "fence and rolled back; batch 3 committed once, by the new owner; %d rows each migrated exactly "
					+ "once%n", db.databaseName(), busyStatements.get(), ROWS);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	void refusedCheckpointRollsBackTheWritesOfItsBatch(TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS);
				InProcessInstance owner = InProcessInstance.create(db, BATCH_SIZE, LEASE)) {
			// After batch 3's writes, another instance takes the lease (from a connection of its own).
			owner.afterWrites((id) -> {
				if (id == TAKEN) {
					db.jdbc().update("UPDATE backfill_migrations SET lease_owner = 'another-instance' WHERE name = ?",
							FixtureApplication.MIGRATION);
				}
			});
			MigrationResult result = owner.start(BackfillMode.BACKGROUND).awaitResult(WAIT);
			assertThat(result.outcome()).isEqualTo(Outcome.RUNNING_ELSEWHERE);
			assertThat(db.counters(1, TAKEN - 1)).containsExactly(Map.entry(1, (int) TAKEN - 1));
			assertThat(db.counters(TAKEN, ROWS)).as("counters of batch 3 and after")
				.containsExactly(Map.entry(0, ROWS - (int) TAKEN + 1));
			assertThat(db.committedBatches()).extracting(FixtureDatabase.Batch::firstId).containsExactly(1L, 101L);
			Map<String, Object> tracking = db.tracking();
			assertThat(tracking.get("last_key")).isEqualTo("200");
			assertThat(tracking.get("lease_owner")).isEqualTo("another-instance");
			System.out.printf("RESILIENCE [%s] atomicity: checkpoint of batch 3 refused after its writes; its %d row "
					+ "updates and its batch record rolled back with it, checkpoint left at key 200%n",
					db.databaseName(), BATCH_SIZE);
		}
	}

	private static void assertOwners(List<FixtureDatabase.Batch> batches, String first, String second,
			int firstOwnersBatches) {
		assertThat(batches).hasSize((ROWS + BATCH_SIZE - 1) / BATCH_SIZE);
		assertThat(batches.subList(0, firstOwnersBatches)).allSatisfy(
				(batch) -> assertThat(batch.owner()).as("owner of the batches before the takeover").isEqualTo(first));
		assertThat(batches.subList(firstOwnersBatches, batches.size())).noneSatisfy(
				(batch) -> assertThat(batch.owner()).isEqualTo(first));
		assertThat(batches.get(firstOwnersBatches).owner()).isEqualTo(second);
	}

}
