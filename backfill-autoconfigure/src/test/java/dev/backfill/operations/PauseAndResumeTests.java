package dev.backfill.operations;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.backfill.BackfillOperations;
import dev.backfill.MigrationInfo;
import dev.backfill.MigrationStatus;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pausing a running migration through {@link BackfillOperations}: the batch in flight is
 * refused and rolled back, the run stops with its checkpoint, and once resumed the
 * application's watcher continues it without a restart, each row migrated once.
 */
class PauseAndResumeTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aPauseLandingMidBatchRefusesThatBatchAndAResumeContinuesFromTheCheckpointEachRowOnce(TestDatabase database)
			throws Exception {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 1_000);
			CountDownLatch inThirdBatch = new CountDownLatch(1);
			CountDownLatch paused = new CountDownLatch(1);
			AtomicBoolean held = new AtomicBoolean();
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items").onBatch((rows) -> {
				Items.migrate(rows);
				if (rows.get(0).get("id").toString().equals("201") && held.compareAndSet(false, true)) {
					inThirdBatch.countDown();
					await(paused);
				}
			});
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("pausable", migration),
					"backfill.mode=background", "backfill.batch-size=100", "backfill.throttle=0",
					"backfill.lease-duration=2s")) {
				BackfillOperations operations = app.getBean(BackfillOperations.class);
				assertThat(inThirdBatch.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
				// On a connection of its own, while the third batch holds its transaction open.
				MigrationInfo pausedInfo = operations.pause("pausable", "operator-1");
				assertThat(pausedInfo.status()).isEqualTo(MigrationStatus.PAUSED);
				assertThat(pausedInfo.pausedBy()).isEqualTo("operator-1");
				assertThat(pausedInfo.owners()).as("the worker, until it lets go").hasSize(1);
				paused.countDown();
				Items.await("the worker to let go of the paused migration", WAIT,
						() -> Tracking.row(jdbc, "pausable").get("lease_owner") == null);

				Map<String, Object> row = Tracking.row(jdbc, "pausable");
				assertThat(row.get("status")).isEqualTo("PAUSED");
				assertThat(row.get("paused_by")).isEqualTo("operator-1");
				assertThat(row.get("last_key")).isEqualTo("200");
				assertThat(((Number) row.get("batches")).longValue()).isEqualTo(2);
				assertThat(Items.rowsOffCheckpoint(jdbc, 200)).as("rows off the checkpoint").isZero();
				// Stays paused: the watcher passes over it.
				Thread.sleep(1_500);
				assertThat(Tracking.row(jdbc, "pausable")).isEqualTo(row);

				// Runnable again; a watcher may take it between the resume's write and its read of the row.
				assertThat(operations.resume("pausable").status()).isIn(MigrationStatus.PENDING, MigrationStatus.RUNNING,
						MigrationStatus.COMPLETED);
				Items.awaitStatus(jdbc, "pausable", "COMPLETED", "the watcher to complete the resumed migration");
			}
			assertThat(Items.migratedCounts(jdbc)).isEqualTo(Map.of(1, 1_000));
			Map<String, Object> completed = Tracking.row(jdbc, "pausable");
			assertThat(((Number) completed.get("rows_processed")).longValue()).isEqualTo(1_000);
			assertThat(completed.get("paused_by")).isNull();
			// The refused batch was passed to migrate twice, and committed once.
			assertThat(migration.callsPerKey().get("201")).isEqualTo(2);
			assertThat(migration.callsPerKey().get("200")).isEqualTo(1);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aBlockingStartPassesOverAPausedMigrationRunsTheNextAndTheWatcherRunsThePausedOneOnceResumed(
			TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			RecordingMigration first = new RecordingMigration("SELECT id FROM items").onBatch(Items::migrate);
			RecordingMigration second = new RecordingMigration("SELECT id FROM items");
			try (ConfigurableApplicationContext app = TestApps.builder(schema,
					Map.of("aFirst", first, "bSecond", second), "backfill.batch-size=100", "backfill.throttle=0",
					"backfill.lease-duration=2s")
				.initializers((context) -> {
					MigrationStore store = MigrationDatabase.of(schema.dataSource(), "backfill_migrations").store();
					store.createTableIfMissing();
					store.findOrCreate("aFirst");
					store.pause("aFirst", "before-start");
				})
				.run()) {
				// Blocking mode: the start has returned.
				assertThat(Tracking.row(jdbc, "aFirst").get("status")).isEqualTo("PAUSED");
				assertThat(first.batches()).isEmpty();
				assertThat(Tracking.row(jdbc, "bSecond").get("status")).isEqualTo("COMPLETED");

				app.getBean(BackfillOperations.class).resume("aFirst");
				Items.awaitStatus(jdbc, "aFirst", "COMPLETED", "the watcher to complete the resumed migration");
			}
			assertThat(Items.migratedCounts(jdbc)).isEqualTo(Map.of(1, 500));
		}
	}

	private static void await(CountDownLatch latch) {
		try {
			if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
				throw new IllegalStateException("not released");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
