package dev.backfill.chunks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import dev.backfill.BackfillMode;
import dev.backfill.MigrationListener;
import dev.backfill.SqlMigration;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.testsupport.Latches;
import dev.backfill.testsupport.SqlMigrations;
import dev.backfill.testsupport.StatementCounter;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link SqlMigration} in chunks: on PostgreSQL each batch of a chunk is one statement
 * that reads the batch's keys within the chunk's range, runs the update and saves the
 * chunk's checkpoint (elsewhere the read, the update and the checkpoint). Either way each
 * row once, every chunk completed with the migration's counts the chunks' sums, and a
 * chunk's lease taken just before its batch's statement runs rolls that whole batch back.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SqlMigrationChunksTests {

	private static final int ROWS = 2_000;

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void twoInstancesOfTwoWorkersUpdateEachRowOnceAndCompleteEveryChunk(TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), ROWS);
			ExecutorService threads = Executors.newFixedThreadPool(2);
			try (Instance a = new Instance(schema, 2); Instance b = new Instance(schema, 2)) {
				// No update runs until both instances have reached one: both run chunks, at once.
				CountDownLatch bothInBatches = new CountDownLatch(2);
				for (Instance instance : List.of(a, b)) {
					AtomicBoolean first = new AtomicBoolean(true);
					instance.statements.whenPrepared((sql) -> {
						if (sql.contains("UPDATE items")) {
							if (first.compareAndSet(true, false)) {
								bothInBatches.countDown();
							}
							Latches.await(bothInBatches);
						}
					});
				}
				Future<MigrationResult> first = threads.submit(() -> a.run());
				Future<MigrationResult> second = threads.submit(() -> b.run());
				assertThat(first.get(90, TimeUnit.SECONDS).outcome()).isEqualTo(MigrationResult.Outcome.COMPLETED);
				assertThat(second.get(90, TimeUnit.SECONDS).outcome()).isEqualTo(MigrationResult.Outcome.COMPLETED);
				if (database.name().equals("PostgreSQL")) {
					// Every batch one statement, its update inside; no update or chunk checkpoint of its own.
					List<String> statements = new ArrayList<>(a.statements.events());
					statements.addAll(b.statements.events());
					List<String> batches = statements.stream().filter((sql) -> sql.startsWith("WITH backfill_read")).toList();
					assertThat(batches).allMatch((sql) -> sql.contains("UPDATE items SET migrated = migrated + 1 WHERE id = ANY")
							&& sql.contains("UPDATE backfill_migrations_chunks SET last_key = CAST("));
					assertThat(statements).noneMatch((sql) -> sql.startsWith("UPDATE items"));
					// A chunk's last batch completes it: no chunk is left to be claimed again and end
					// with an empty batch.
					assertThat(batches).hasSize(schema.jdbc()
						.queryForObject("SELECT batches FROM backfill_migrations WHERE name = 'items'", Integer.class));
				}
			}
			finally {
				threads.shutdownNow();
			}
			assertEachRowOnceAndChunksSummed(schema.jdbc());
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void chunkLeaseTakenJustBeforeABatchRunsRollsThatBatchBackAndTheChunkIsRunAgain(TestDatabase database) {
		try (TestSchema schema = database.createSchema(); Instance instance = new Instance(schema, 2)) {
			TestTables.createItems(schema.jdbc(), ROWS);
			JdbcTemplate thief = schema.jdbc();
			String until = instance.database.store().dialect().currentTimestampPlusMillis();
			AtomicInteger updates = new AtomicInteger();
			AtomicInteger outcomeOfThatBatch = new AtomicInteger(-1);
			// Just before the third update runs (on PostgreSQL its batch's one statement, elsewhere
			// the update after its read), a thief takes the lease of every chunk running, the
			// chunk of that batch's worker included, from another connection.
			instance.statements.whenPrepared((sql) -> {
				if (sql.contains("UPDATE items") && updates.incrementAndGet() == 3) {
					assertThat(thief.update("UPDATE backfill_migrations_chunks SET lease_owner = 'thief', "
							+ "lease_expires_at = " + until + " WHERE migration = 'items' AND status = 'RUNNING'", 1500))
						.isPositive();
					TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
						@Override
						public void afterCompletion(int status) {
							outcomeOfThatBatch.set(status);
						}
					});
				}
			});
			assertThat(instance.run().outcome()).isEqualTo(MigrationResult.Outcome.COMPLETED);
			assertThat(outcomeOfThatBatch).as("the batch whose chunk lease was taken")
				.hasValue(TransactionSynchronization.STATUS_ROLLED_BACK);
			assertEachRowOnceAndChunksSummed(schema.jdbc());
		}
	}

	private static void assertEachRowOnceAndChunksSummed(JdbcTemplate jdbc) {
		assertThat(jdbc.queryForList("SELECT migrated, COUNT(*) AS n FROM items GROUP BY migrated"))
			.extracting((row) -> Map.entry(((Number) row.get("migrated")).intValue(), ((Number) row.get("n")).intValue()))
			.containsExactly(Map.entry(1, ROWS));
		Map<String, Object> chunks = jdbc.queryForMap("SELECT COUNT(*) AS total, SUM(CASE WHEN status = 'COMPLETED' "
				+ "THEN 1 ELSE 0 END) AS completed, SUM(rows_processed) AS rows_processed, SUM(batches) AS batches "
				+ "FROM backfill_migrations_chunks WHERE migration = 'items'");
		assertThat(((Number) chunks.get("total")).intValue()).isGreaterThan(1);
		assertThat(((Number) chunks.get("completed")).intValue()).isEqualTo(((Number) chunks.get("total")).intValue());
		assertThat(((Number) chunks.get("rows_processed")).longValue()).isEqualTo(ROWS);
		Map<String, Object> migration = jdbc.queryForMap(
				"SELECT status, rows_processed, batches FROM backfill_migrations WHERE name = 'items'");
		assertThat(migration.get("status")).isEqualTo("COMPLETED");
		assertThat(((Number) migration.get("rows_processed")).longValue()).isEqualTo(ROWS);
		assertThat(((Number) migration.get("batches")).longValue())
			.isEqualTo(((Number) chunks.get("batches")).longValue());
	}

	/** A runner of the migration with its own DataSource, seen through a statement counter. */
	private static final class Instance implements AutoCloseable {

		private final HikariDataSource pool;

		private final StatementCounter statements;

		private final MigrationDatabase database;

		private final BackfillRunner runner;

		Instance(TestSchema schema, int parallelism) {
			this.pool = schema.newDataSource(parallelism + 2);
			this.statements = new StatementCounter(this.pool);
			this.database = MigrationDatabase.of(this.statements.dataSource(), "backfill_migrations");
			this.database.store().createTableIfMissing();
			SqlMigration migration = SqlMigrations.of("SELECT id FROM items",
					"UPDATE items SET migrated = migrated + 1 WHERE id IN (:keys)");
			MigrationSettings settings = new MigrationSettings("items", true, 100, Duration.ZERO, "id", true, null,
					null)
				.withParallelism(parallelism);
			// A lease long enough that a stall of the machine does not let another worker take a
			// running chunk (the batch count asserted would then include a refused batch).
			this.runner = new BackfillRunner(List.of(MigrationTarget.of(migration, settings, this.database)),
					new RunnerSettings(Duration.ofSeconds(10), Duration.ofSeconds(60), 3, Duration.ofMillis(10),
							Duration.ofMillis(100)),
					MigrationListener.NONE);
		}

		MigrationResult run() {
			return this.runner.run(BackfillMode.BLOCKING).get(0);
		}

		@Override
		public void close() {
			this.runner.stop();
			this.pool.close();
		}

	}

}
