package dev.backfill.operations;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.backfill.BackfillOperations;
import dev.backfill.MigrationInfo;
import dev.backfill.MigrationStateException;
import dev.backfill.MigrationStatus;
import dev.backfill.SqlMigration;
import dev.backfill.UnknownMigrationException;
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
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link BackfillOperations} in a running application: what it lists, retry of a failed
 * migration and rerun of a completed one (both then run by the watcher), and what it
 * refuses.
 */
class OperationsApiTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final String[] PROPERTIES = { "backfill.mode=background", "backfill.batch-size=100",
			"backfill.throttle=0", "backfill.lease-duration=2s" };

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void listsEveryMigrationWithItsKindDataSourceAndRowAndOneNotStartedAsPendingWithZeros(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 300);
			RecordingMigration done = new RecordingMigration("SELECT id FROM items");
			RecordingMigration disabled = new RecordingMigration("SELECT id FROM items");
			SqlMigration sql = new SqlMigration() {
				@Override
				public String baseQuery() {
					return "SELECT id FROM items";
				}

				@Override
				public String updateSql() {
					return "UPDATE items SET migrated = migrated + 1 WHERE id BETWEEN :first AND :last";
				}
			};
			try (ConfigurableApplicationContext app = TestApps
				.builder(schema, Map.of("aDone", done, "cDisabled", disabled), "backfill.batch-size=100",
						"backfill.throttle=0", "backfill.migrations.cDisabled.enabled=false")
				.initializers((context) -> context.getBeanFactory().registerSingleton("bSql", sql))
				.run()) {
				List<MigrationInfo> migrations = app.getBean(BackfillOperations.class).migrations();
				assertThat(migrations).extracting(MigrationInfo::name).containsExactly("aDone", "bSql", "cDisabled");
				MigrationInfo first = migrations.get(0);
				assertThat(first.kind()).isEqualTo("DataMigration");
				assertThat(first.dataSource()).isEqualTo("dataSource");
				assertThat(first.status()).isEqualTo(MigrationStatus.COMPLETED);
				assertThat(first.rowsProcessed()).isEqualTo(300);
				assertThat(first.batches()).isEqualTo(3);
				assertThat(first.lastKey()).isEqualTo("300");
				assertThat(first.completedAt()).isNotNull();
				assertThat(first.startedAt()).isBeforeOrEqualTo(first.completedAt());
				assertThat(first.percent()).isEqualTo(100.0);
				assertThat(first.eta()).isEqualTo(Duration.ZERO);
				assertThat(first.owners()).isEmpty();
				assertThat(migrations.get(1).kind()).isEqualTo("SqlMigration");
				assertThat(migrations.get(1).status()).isEqualTo(MigrationStatus.COMPLETED);
				MigrationInfo notStarted = migrations.get(2);
				assertThat(notStarted.status()).isEqualTo(MigrationStatus.PENDING);
				assertThat(notStarted.rowsProcessed()).isZero();
				assertThat(notStarted.batches()).isZero();
				assertThat(notStarted.lastKey()).isNull();
				assertThat(notStarted.percent()).isNull();
				assertThat(app.getBean(BackfillOperations.class).migration("bSql")).contains(migrations.get(1));
				assertThat(app.getBean(BackfillOperations.class).migration("nope")).isEmpty();
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aRetriedFailedMigrationIsRunFromItsCheckpointByTheWatcherWhichLeavesItAloneBefore(TestDatabase database)
			throws Exception {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items").onBatch(Items::migrate)
				.failAtBatch(3);
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("flaky", migration), PROPERTIES)) {
				Items.awaitStatus(jdbc, "flaky", "FAILED", "the migration to fail");
				// The watcher does not run a failed migration again by itself.
				Thread.sleep(1_500);
				assertThat(migration.batches()).hasSize(3);
				assertThat(Tracking.row(jdbc, "flaky").get("status")).isEqualTo("FAILED");

				migration.failAtBatch(-1);
				MigrationInfo retried = app.getBean(BackfillOperations.class).retry("flaky");
				// Runnable again; the watcher may take it between the retry's write and its read of the row.
				assertThat(retried.status()).isIn(MigrationStatus.PENDING, MigrationStatus.RUNNING);
				assertThat(retried.lastKey()).isEqualTo("200");
				assertThat(retried.lastError()).contains("boom in batch 3");
				Items.awaitStatus(jdbc, "flaky", "COMPLETED", "the watcher to complete the retried migration");
			}
			assertThat(Items.migratedCounts(jdbc)).isEqualTo(Map.of(1, 500));
			assertThat(Tracking.row(jdbc, "flaky").get("last_error")).isNull();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aRerunCompletedMigrationRunsAgainFromTheStartAndCountsFromZero(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items").onBatch(Items::migrate);
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("again", migration), PROPERTIES)) {
				Items.awaitStatus(jdbc, "again", "COMPLETED", "the first run");
				BackfillOperations operations = app.getBean(BackfillOperations.class);
				MigrationInfo rerun = operations.rerun("again");
				// Runnable again; the watcher may take it between the rerun's write and its read of the row.
				assertThat(rerun.status()).isIn(MigrationStatus.PENDING, MigrationStatus.RUNNING);
				assertThat(rerun.rowsProcessed()).isZero();
				assertThat(rerun.lastKey()).isNull();
				Items.awaitStatus(jdbc, "again", "COMPLETED", "the watcher to complete the rerun");
			}
			assertThat(Items.migratedCounts(jdbc)).isEqualTo(Map.of(2, 500));
			Map<String, Object> row = Tracking.row(jdbc, "again");
			assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(500);
			assertThat(((Number) row.get("batches")).longValue()).isEqualTo(5);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void refusesActionsTheStatusDoesNotAllowNamingItAndUnknownMigrations(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 100);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("done", migration),
					"backfill.batch-size=100", "backfill.throttle=0")) {
				BackfillOperations operations = app.getBean(BackfillOperations.class);
				assertThatExceptionOfType(MigrationStateException.class).isThrownBy(() -> operations.pause("done", null))
					.withMessage("Cannot pause migration 'done': it is COMPLETED, and pause needs PENDING or RUNNING")
					.satisfies((ex) -> assertThat(ex.getStatus()).isEqualTo(MigrationStatus.COMPLETED));
				assertThatExceptionOfType(MigrationStateException.class).isThrownBy(() -> operations.resume("done"));
				assertThatExceptionOfType(MigrationStateException.class).isThrownBy(() -> operations.retry("done"));
				assertThatExceptionOfType(UnknownMigrationException.class).isThrownBy(() -> operations.rerun("nope"))
					.withMessage("No migration named 'nope'; the migrations are [done]");
				assertThat(Tracking.row(jdbc, "done").get("status")).isEqualTo("COMPLETED");
			}
		}
	}

}
