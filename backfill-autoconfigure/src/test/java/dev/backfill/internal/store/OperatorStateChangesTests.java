package dev.backfill.internal.store;

import java.time.Duration;
import java.util.Map;

import dev.backfill.MigrationStatus;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tracking table's state changes made by operators (pause, resume, retry, rerun), and
 * what they do to a worker's writes, on every database.
 */
class OperatorStateChangesTests {

	private static final Duration LEASE = Duration.ofSeconds(30);

	private static final String OWNER = "worker-1";

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aPauseRefusesTheRunningWorkersCheckpointAndCompletionAndNoInstanceTakesThePausedMigration(
			TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			MigrationStore store = store(schema);
			store.findOrCreate("m");
			assertThat(store.tryAcquire("m", OWNER, LEASE)).isTrue();
			assertThat(store.saveCheckpoint("m", OWNER, new Checkpoint("10", 10, 1), 0, LEASE, false)).isTrue();

			assertThat(store.pause("m", "alice")).isTrue();
			Map<String, Object> paused = Tracking.row(schema.jdbc(), "m");
			assertThat(paused.get("status")).isEqualTo("PAUSED");
			assertThat(paused.get("paused_by")).isEqualTo("alice");
			assertThat(paused.get("paused_at")).isNotNull();

			assertThat(store.saveCheckpoint("m", OWNER, new Checkpoint("20", 20, 2), 1, LEASE, false)).isFalse();
			assertThat(store.saveCheckpoint("m", OWNER, new Checkpoint("20", 20, 2), 1, LEASE, true)).isFalse();
			// The heartbeat keeps the worker's lease, and the pause.
			assertThat(store.renew("m", OWNER, LEASE)).isTrue();
			assertThat(store.tryAcquire("m", OWNER, LEASE)).isFalse();
			assertThat(store.tryAcquire("m", "worker-2", LEASE)).isFalse();
			MigrationState unchanged = store.find("m").orElseThrow();
			assertThat(unchanged.status()).isEqualTo(MigrationStatus.PAUSED);
			assertThat(unchanged.lastKey()).isEqualTo("10");
			assertThat(unchanged.batches()).isOne();

			// The worker lets go: the lease is freed, the pause stays.
			assertThat(store.release("m", OWNER)).isTrue();
			MigrationState released = store.find("m").orElseThrow();
			assertThat(released.status()).isEqualTo(MigrationStatus.PAUSED);
			assertThat(released.leaseOwner()).isNull();
			assertThat(store.tryAcquire("m", "worker-2", LEASE)).isFalse();
			assertThat(store.pause("m", "bob")).as("pausing a paused migration").isFalse();
			assertThat(store.find("m").orElseThrow().pausedBy()).isEqualTo("alice");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void resumeMakesAPausedMigrationPendingFromItsCheckpointForAnyInstance(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			MigrationStore store = store(schema);
			store.findOrCreate("m");
			assertThat(store.resume("m")).as("resuming a pending migration").isFalse();
			store.tryAcquire("m", OWNER, LEASE);
			store.saveCheckpoint("m", OWNER, new Checkpoint("10", 10, 1), 0, LEASE, false);
			store.pause("m", null);
			store.release("m", OWNER);

			assertThat(store.resume("m")).isTrue();
			Map<String, Object> resumed = Tracking.row(schema.jdbc(), "m");
			assertThat(resumed.get("status")).isEqualTo("PENDING");
			assertThat(resumed.get("paused_by")).isNull();
			assertThat(resumed.get("paused_at")).isNull();
			assertThat(resumed.get("last_key")).isEqualTo("10");
			assertThat(store.tryAcquire("m", "worker-2", LEASE)).isTrue();
			assertThat(store.saveCheckpoint("m", "worker-2", new Checkpoint("20", 20, 2), 1, LEASE, false)).isTrue();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void retryMakesOnlyAFailedMigrationPendingKeepingItsCheckpointAndError(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			MigrationStore store = store(schema);
			store.findOrCreate("m");
			store.tryAcquire("m", OWNER, LEASE);
			store.saveCheckpoint("m", OWNER, new Checkpoint("10", 10, 1), 0, LEASE, false);
			assertThat(store.retry("m")).as("retrying a running migration").isFalse();
			assertThat(store.pause("m", null)).isTrue();
			store.release("m", OWNER);
			assertThat(store.retry("m")).as("retrying a paused migration").isFalse();
			store.resume("m");
			store.tryAcquire("m", OWNER, LEASE);
			store.fail("m", OWNER, "boom");
			assertThat(store.pause("m", null)).as("pausing a failed migration").isFalse();

			assertThat(store.retry("m")).isTrue();
			Map<String, Object> retried = Tracking.row(schema.jdbc(), "m");
			assertThat(retried.get("status")).isEqualTo("PENDING");
			assertThat(retried.get("last_key")).isEqualTo("10");
			assertThat(((Number) retried.get("rows_processed")).longValue()).isEqualTo(10);
			assertThat(retried.get("last_error")).isEqualTo("boom");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void rerunMakesOnlyACompletedMigrationPendingFromTheStart(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			MigrationStore store = store(schema);
			JdbcTemplate jdbc = schema.jdbc();
			store.findOrCreate("m");
			assertThat(store.rerun("m")).as("rerunning a pending migration").isFalse();
			store.tryAcquire("m", OWNER, LEASE);
			store.saveCheckpoint("m", OWNER, new Checkpoint("10", 10, 1), 0, LEASE, true);
			jdbc.update("UPDATE backfill_migrations SET estimated_total = 10, rows_per_second = 5, "
					+ "throttled_millis = 7, remaining_rows = 0 WHERE name = 'm'");
			assertThat(store.pause("m", null)).as("pausing a completed migration").isFalse();
			assertThat(store.retry("m")).as("retrying a completed migration").isFalse();

			assertThat(store.rerun("m")).isTrue();
			Map<String, Object> rerun = Tracking.row(jdbc, "m");
			assertThat(rerun.get("status")).isEqualTo("PENDING");
			assertThat(rerun.get("last_key")).isNull();
			assertThat(((Number) rerun.get("rows_processed")).longValue()).isZero();
			assertThat(((Number) rerun.get("batches")).longValue()).isZero();
			assertThat(rerun.get("started_at")).isNull();
			assertThat(rerun.get("completed_at")).isNull();
			assertThat(rerun.get("estimated_total")).isNull();
			assertThat(rerun.get("remaining_rows")).isNull();
			assertThat(store.tryAcquire("m", OWNER, LEASE)).isTrue();
			assertThat(store.saveCheckpoint("m", OWNER, new Checkpoint("5", 5, 1), 0, LEASE, false)).isTrue();
		}
	}

	private static MigrationStore store(TestSchema schema) {
		MigrationStore store = MigrationDatabase.of(schema.dataSource(), "backfill_migrations").store();
		store.createTableIfMissing();
		return store;
	}

}
