package dev.backfill.operations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import javax.sql.DataSource;

import dev.backfill.autoconfigure.BackfillApplicationRunner;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.store.ChunkStore;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.internal.store.SqlDialect;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.StatementCounter;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A migration left {@code RUNNING} by an instance that died (its rows written here as it
 * left them: its lease, or its chunks' leases, no longer renewed) is taken over by the
 * watcher of a running instance once those leases have expired, after that instance's
 * startup pass passed over it, and completed from its checkpoints, each row once; while
 * they hold, the watcher leaves it alone and logs nothing.
 */
@ExtendWith(OutputCaptureExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AbandonedMigrationTakeoverTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	/** The watcher looks every lease-duration / 4: 250 ms. */
	private static final String LEASE = "backfill.lease-duration=1s";

	private static final int ROUNDS = 4;

	private static final String DEAD = "dead-instance";

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aWalkLeftRunningByADeadOwnerIsTakenOverByTheWatcherOnceItsLeaseExpiresAndCompletedFromItsCheckpoint(
			TestDatabase database, CapturedOutput output) throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			SqlDialect dialect = createTables(schema);
			// The dead owner committed 3 batches of 100; its lease has an hour to run.
			jdbc.update("UPDATE items SET migrated = 1 WHERE id <= 300");
			jdbc.update("INSERT INTO backfill_migrations (name, status, last_key, rows_processed, batches, started_at, "
					+ "updated_at, lease_owner, lease_expires_at) VALUES ('walk', 'RUNNING', '300', 300, 3, "
					+ dialect.currentTimestamp() + ", " + dialect.currentTimestamp() + ", ?, "
					+ dialect.currentTimestampPlusMillis() + ")", DEAD, Duration.ofHours(1).toMillis());
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items").onBatch(Items::migrate);
			try (LiveInstance instance = new LiveInstance(schema, "walk", migration, output)) {
				assertThat(output).contains("Backfill migration 'walk' is being run by another instance; moving on");
				instance.assertWatcherLeavesAlone(() -> Tracking.row(jdbc, "walk"));
				assertThat(migration.batches()).isEmpty();

				expireLeases(jdbc, dialect, "backfill_migrations", "name = 'walk'");
				Items.awaitStatus(jdbc, "walk", "COMPLETED", "the watcher to take over and complete the migration");
			}
			assertThat(Items.migratedCounts(jdbc)).isEqualTo(Map.of(1, 1_000));
			assertThat(migration.callsPerKey()).doesNotContainKey("300").containsEntry("301", 1);
			assertThat(migration.batches()).hasSize(7);
			Map<String, Object> completed = Tracking.row(jdbc, "walk");
			assertThat(((Number) completed.get("rows_processed")).longValue()).isEqualTo(1_000);
			assertThat(((Number) completed.get("batches")).longValue()).isEqualTo(10);
			assertThat(completed.get("lease_owner")).isNull();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aDryRunDoneInTheStartupPassIsNotRunAgainByTheWatcher(TestDatabase database, CapturedOutput output)
			throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createTables(schema);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items").onBatch(Items::migrate);
			// Completed in the startup pass; its row is what the watcher reads each round.
			RecordingMigration other = new RecordingMigration("SELECT id FROM items WHERE id <= 100");
			// A dry run leaves no tracking row, so to the watcher it would look never reached.
			try (LiveInstance instance = new LiveInstance(schema, Map.of("walk", migration, "other", other), output,
					"backfill.migrations.walk.dry-run=true")) {
				assertThat(output).contains("Backfill migration 'walk' dry run done");
				assertThat(migration.batches()).hasSize(10);
				instance.assertWatcherLeavesAlone(() -> migration.batches().size());
			}
			assertThat(Items.migratedCounts(jdbc)).isEqualTo(Map.of(0, 1_000));
			assertThat(other.batches()).hasSize(1);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void chunksLeftByADeadWorkerAreClaimedByTheWatcherOnceTheirLeasesExpireOrAreFreedAndTheMigrationCompletes(
			TestDatabase database, CapturedOutput output) throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			SqlDialect dialect = createTables(schema);
			// Four chunks of 250 keys: the first completed, the second halfway by a dead worker, the
			// third just claimed by another, the fourth free (the startup pass runs it).
			jdbc.update("UPDATE items SET migrated = 1 WHERE id <= 350");
			insertRunInChunks(jdbc, dialect, 250, 3);
			insertChunk(jdbc, dialect, 0, null, "251", "COMPLETED", "250", 250, 3, null);
			insertChunk(jdbc, dialect, 1, "251", "501", "RUNNING", "350", 100, 1, DEAD + "/1");
			insertChunk(jdbc, dialect, 2, "501", "751", "RUNNING", null, 0, 0, DEAD + "/2");
			insertChunk(jdbc, dialect, 3, "751", null, "PENDING", null, 0, 0, null);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items").onBatch(Items::migrate);
			try (LiveInstance instance = new LiveInstance(schema, "chunked", migration, output,
					"backfill.parallelism=2")) {
				assertThat(chunkStatuses(jdbc)).containsExactly("COMPLETED", "RUNNING", "RUNNING", "COMPLETED");
				assertThat(output).contains("Backfill migration 'chunked': no chunk is free here");
				List<List<String>> ofStartup = migration.batches();
				instance.assertWatcherLeavesAlone(() -> chunks(jdbc));
				assertThat(migration.batches()).isEqualTo(ofStartup);

				// The dead worker's lease expires; the other chunk is freed, as a worker stopping frees it.
				expireLeases(jdbc, dialect, "backfill_migrations_chunks", "chunk = 1");
				assertThat(jdbc.update("UPDATE backfill_migrations_chunks SET status = 'PENDING', lease_owner = NULL, "
						+ "lease_expires_at = NULL WHERE chunk = 2")).isOne();
				Items.awaitStatus(jdbc, "chunked", "COMPLETED", "the watcher to join and complete the migration");
			}
			assertThat(Items.migratedCounts(jdbc)).isEqualTo(Map.of(1, 1_000));
			assertThat(migration.callsPerKey()).doesNotContainKeys("250", "350").containsEntry("351", 1)
				.containsEntry("501", 1);
			assertThat(chunkStatuses(jdbc)).containsOnly("COMPLETED");
			Map<String, Object> completed = Tracking.row(jdbc, "chunked");
			assertThat(((Number) completed.get("rows_processed")).longValue()).isEqualTo(1_000);
			assertThat(completed.get("lease_owner")).isNull();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aMigrationWhoseLastChunkCompletedAsItsWorkerDiedIsMarkedCompletedByTheWatcher(TestDatabase database,
			CapturedOutput output) throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			SqlDialect dialect = createTables(schema);
			// Three chunks completed, the last one by a worker with a live lease, 100 rows from its end.
			jdbc.update("UPDATE items SET migrated = 1 WHERE id <= 900");
			insertRunInChunks(jdbc, dialect, 750, 9);
			insertChunk(jdbc, dialect, 0, null, "251", "COMPLETED", "250", 250, 3, null);
			insertChunk(jdbc, dialect, 1, "251", "501", "COMPLETED", "500", 250, 3, null);
			insertChunk(jdbc, dialect, 2, "501", "751", "COMPLETED", "750", 250, 3, null);
			insertChunk(jdbc, dialect, 3, "751", null, "RUNNING", "900", 150, 2, DEAD + "/1");
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items").onBatch(Items::migrate);
			try (LiveInstance instance = new LiveInstance(schema, "chunked", migration, output,
					"backfill.parallelism=2")) {
				instance.assertWatcherLeavesAlone(() -> Tracking.row(jdbc, "chunked"));

				// The worker commits the chunk's last batch, adding the chunk to the migration's counts.
				// While its instance would be ending the pass (counting the rows left), within a lease of
				// the completion, the watcher leaves it alone; once it has died, the watcher ends it.
				jdbc.update("UPDATE items SET migrated = 1 WHERE id > 900");
				assertThat(jdbc.update("UPDATE backfill_migrations_chunks SET status = 'COMPLETED', last_key = '1000', "
						+ "rows_processed = 250, batches = 3, lease_owner = NULL, lease_expires_at = NULL, "
						+ "completed_at = " + dialect.currentTimestampPlusMillis() + " WHERE chunk = 3",
						Duration.ofHours(1).toMillis())).isOne();
				jdbc.update("UPDATE backfill_migrations SET rows_processed = 1000, batches = 12 WHERE name = 'chunked'");
				instance.assertWatcherLeavesAlone(() -> Tracking.row(jdbc, "chunked"));
				jdbc.update("UPDATE backfill_migrations_chunks SET completed_at = " + dialect.currentTimestampPlusMillis()
						+ " WHERE chunk = 3", -Duration.ofSeconds(2).toMillis());
				Items.awaitStatus(jdbc, "chunked", "COMPLETED", "the watcher to mark the migration completed");
			}
			assertThat(migration.batches()).isEmpty();
			assertThat(Items.migratedCounts(jdbc)).isEqualTo(Map.of(1, 1_000));
			assertThat(((Number) Tracking.row(jdbc, "chunked").get("rows_processed")).longValue()).isEqualTo(1_000);
		}
	}

	/** The {@code items} table of 1,000 rows and the tracking tables; their dialect. */
	private static SqlDialect createTables(TestSchema schema) {
		TestTables.createItems(schema.jdbc(), 1_000);
		MigrationStore store = MigrationDatabase.of(schema.dataSource(), "backfill_migrations").store();
		store.createTableIfMissing();
		return store.dialect();
	}

	/** The tracking row of migration {@code chunked} while its chunks run. */
	private static void insertRunInChunks(JdbcTemplate jdbc, SqlDialect dialect, long rows, long batches) {
		jdbc.update("INSERT INTO backfill_migrations (name, status, rows_processed, batches, started_at, updated_at, "
				+ "lease_owner) VALUES ('chunked', 'RUNNING', ?, ?, " + dialect.currentTimestamp() + ", "
				+ dialect.currentTimestamp() + ", ?)", rows, batches, ChunkStore.CHUNK_WORKERS);
	}

	private static void insertChunk(JdbcTemplate jdbc, SqlDialect dialect, int chunk, String start, String end,
			String status, String lastKey, long rows, long batches, String owner) {
		jdbc.update("INSERT INTO backfill_migrations_chunks (migration, chunk, range_start, range_end, status, last_key, "
				+ "rows_processed, batches, lease_owner, lease_expires_at, updated_at) VALUES ('chunked', ?, ?, ?, ?, ?, "
				+ "?, ?, ?, " + ((owner != null) ? dialect.currentTimestampPlusMillis() : "NULL") + ", "
				+ dialect.currentTimestamp() + ")", (owner != null)
						? new Object[] { chunk, start, end, status, lastKey, rows, batches, owner,
								Duration.ofHours(1).toMillis() }
						: new Object[] { chunk, start, end, status, lastKey, rows, batches, null });
	}

	/** Lets leases expire at once, as if their owners had stopped renewing them a second ago. */
	private static void expireLeases(JdbcTemplate jdbc, SqlDialect dialect, String table, String where) {
		assertThat(jdbc.update("UPDATE " + table + " SET lease_expires_at = " + dialect.currentTimestampPlusMillis()
				+ " WHERE " + where, -1_000)).as("leases expired").isOne();
	}

	private static List<Map<String, Object>> chunks(JdbcTemplate jdbc) {
		return jdbc.queryForList("SELECT * FROM backfill_migrations_chunks ORDER BY chunk");
	}

	private static List<String> chunkStatuses(JdbcTemplate jdbc) {
		return jdbc.queryForList("SELECT status FROM backfill_migrations_chunks ORDER BY chunk", String.class);
	}

	/**
	 * A running application past its startup pass, in background mode with a short poll
	 * interval, whose DataSource records its statements.
	 */
	private static final class LiveInstance implements AutoCloseable {

		private final AtomicReference<StatementCounter> statements = new AtomicReference<>();

		private final CapturedOutput output;

		private final ConfigurableApplicationContext app;

		LiveInstance(TestSchema schema, String name, RecordingMigration migration, CapturedOutput output,
				String... properties) throws InterruptedException {
			this(schema, Map.of(name, migration), output, properties);
		}

		LiveInstance(TestSchema schema, Map<String, RecordingMigration> migrations, CapturedOutput output,
				String... properties) throws InterruptedException {
			this.output = output;
			List<String> all = new ArrayList<>(List.of("backfill.mode=background", "backfill.batch-size=100",
					"backfill.throttle=0", LEASE));
			all.addAll(List.of(properties));
			this.app = TestApps.builder(schema, migrations, all.toArray(String[]::new))
				.initializers((context) -> context.getBeanFactory().addBeanPostProcessor(new BeanPostProcessor() {
					@Override
					public Object postProcessAfterInitialization(Object bean, String beanName) {
						if (bean instanceof DataSource dataSource) {
							LiveInstance.this.statements.set(new StatementCounter(dataSource));
							return LiveInstance.this.statements.get().dataSource();
						}
						return bean;
					}
				}))
				.run();
			this.app.getBean(BackfillApplicationRunner.class).awaitCompletion();
		}

		/**
		 * Asserts that over {@code ROUNDS} rounds of the watcher, {@code state} stays as it
		 * was and nothing is logged.
		 */
		void assertWatcherLeavesAlone(Supplier<Object> state) {
			Object before = state.get();
			int logged = this.output.length();
			long from = watcherRounds();
			Items.await(ROUNDS + " rounds of the watcher", WAIT, () -> watcherRounds() >= from + ROUNDS);
			assertThat(state.get()).as("left alone by the watcher").isEqualTo(before);
			assertThat(this.output.toString().substring(logged)).as("logged by the watcher meanwhile")
				.doesNotContain("Backfill");
		}

		/**
		 * The watcher's rounds: each reads every tracking row in a statement without
		 * parameters, the only kind the application makes once started.
		 */
		private long watcherRounds() {
			return this.statements.get().events().stream().filter("<statement>"::equals).count();
		}

		@Override
		public void close() {
			this.app.close();
		}

	}

}
