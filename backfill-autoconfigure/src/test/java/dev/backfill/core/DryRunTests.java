package dev.backfill.core;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.backfill.DataMigrationConfig;
import dev.backfill.SqlMigration;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * {@code backfill.dry-run}: every batch runs and is rolled back, from where a real run
 * would start to the end of the table; the tracking row is neither created nor changed,
 * and the log states the rows each batch would have touched and the base query's count.
 */
@ExtendWith(OutputCaptureExtension.class)
class DryRunTests {

	/** Rows 1..25 in batches of 10: keys 1 to 10, 11 to 20, 21 to 25. */
	private static final int ROWS = 25;

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void everyBatchRunsAndIsRolledBackLeavingNoTrackingRow(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, ROWS);
			List<Integer> migratedSeenInBatch = new CopyOnWriteArrayList<>();
			RecordingMigration migration = markingMigration(migratedSeenInBatch);
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("markItems", migration),
					"backfill.dry-run=true", "backfill.throttle=0")) {
				// The base query excludes marked rows, yet the cursor walked on to the end.
				assertThat(migration.batches()).hasSize(3);
				assertThat(migration.callsPerKey()).hasSize(ROWS);
			}
			// Each batch saw its own 10 marks only: the batch before it had been rolled back.
			assertThat(migratedSeenInBatch).containsExactly(10, 10, 5);
			assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM items", Integer.class)).isZero();
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM backfill_migrations", Integer.class)).isZero();
			assertThat(output.getOut())
				.contains("Backfill migration 'markItems' dry run starting: its base query returns 25 rows (the "
						+ "estimated total); every batch is rolled back, nothing is saved")
				.contains("Backfill migration 'markItems' dry run: batch 1 (keys 1 to 10) would have touched 10 rows "
						+ "(10 read); rolled back")
				.contains("batch 2 (keys 11 to 20) would have touched 10 rows (10 read); rolled back")
				.contains("batch 3 (keys 21 to 25) would have touched 5 rows (5 read); rolled back")
				.contains("Backfill migration 'markItems' dry run done: 3 batches would have touched 25 rows (25 read) "
						+ "of the 25 rows its base query returns; every batch was rolled back, nothing was saved");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void dryRunStartsFromTheCheckpointAndLeavesTheTrackingRowAsItWas(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, ROWS);
			RecordingMigration failing = markingMigration(new CopyOnWriteArrayList<>()).failAtBatch(2);
			assertThatException().isThrownBy(
					() -> TestApps.run(schema, Map.of("markItems", failing), "backfill.throttle=0"));
			Map<String, Object> failed = Tracking.row(jdbc, "markItems");
			assertThat(failed.get("status")).isEqualTo("FAILED");
			assertThat(failed.get("last_key")).isEqualTo("10");
			RecordingMigration dryRun = markingMigration(new CopyOnWriteArrayList<>());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("markItems", dryRun),
					"backfill.migrations.mark-items.dry-run=true", "backfill.throttle=0")) {
				assertThat(dryRun.batches()).hasSize(2);
				assertThat(dryRun.batches().get(0)).first().isEqualTo("11");
			}
			assertThat(Tracking.row(jdbc, "markItems")).isEqualTo(failed);
			// The first real batch's marks, nothing of the dry run's.
			assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM items", Integer.class)).isEqualTo(10);
			assertThat(output.getOut())
				.contains("Backfill migration 'markItems' dry run starting, from after key 10 as a real run would "
						+ "resume: its base query returns 15 rows")
				.contains("batch 2 (keys 11 to 20) would have touched 10 rows (10 read); rolled back")
				.contains("dry run done: 2 batches would have touched 15 rows (15 read) of the 15 rows");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void sqlMigrationsBatchWouldHaveTouchedWhatItsStatementUpdated(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, ROWS);
			// val = id % 10: ids 3, 13 and 23 are read but not updated.
			SqlMigration migration = new SqlMigration() {

				@Override
				public String baseQuery() {
					return "SELECT id FROM items";
				}

				@Override
				public String updateSql() {
					return "UPDATE items SET migrated = 1 WHERE id BETWEEN :first AND :last AND val <> 3";
				}

				@Override
				public DataMigrationConfig config() {
					return DataMigrationConfig.builder().batchSize(10).build();
				}

			};
			try (ConfigurableApplicationContext app = TestApps.builder(schema, Map.of(), "backfill.dry-run=true",
					"backfill.throttle=0")
				.initializers((context) -> context.getBeanFactory().registerSingleton("setMigrated", migration))
				.run()) {
				assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM items", Integer.class)).isZero();
			}
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM backfill_migrations", Integer.class)).isZero();
			assertThat(output.getOut())
				.contains("batch 1 (keys 1 to 10) would have touched 9 rows (10 read); rolled back")
				.contains("batch 2 (keys 11 to 20) would have touched 9 rows (10 read); rolled back")
				.contains("batch 3 (keys 21 to 25) would have touched 4 rows (5 read); rolled back")
				.contains("dry run done: 3 batches would have touched 22 rows (25 read) of the 25 rows");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void dryRunIsNotStartedBesideARealRunHoldingTheLease(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, ROWS);
			new MigrationStore(schema.dataSource(), MigrationDatabase.dialectOf(schema.dataSource()),
					"backfill_migrations")
				.createTableIfMissing();
			jdbc.update("INSERT INTO backfill_migrations (name, status, last_key, rows_processed, batches, lease_owner, "
					+ "lease_expires_at) VALUES ('markItems', 'RUNNING', '10', 10, 1, 'other-host#cafebabe', ?)",
					Timestamp.from(Instant.now().plus(1, ChronoUnit.HOURS)));
			Map<String, Object> running = Tracking.row(jdbc, "markItems");
			RecordingMigration migration = markingMigration(new CopyOnWriteArrayList<>());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("markItems", migration),
					"backfill.dry-run=true", "backfill.throttle=0")) {
				assertThat(migration.batches()).isEmpty();
			}
			assertThat(Tracking.row(jdbc, "markItems")).isEqualTo(running);
			assertThat(output.getOut()).contains(
					"Backfill migration 'markItems' is being run by instance other-host#cafebabe: no dry run beside it");
		}
	}

	/**
	 * Batches of 10 over the unmarked rows; each marks its rows through the application's
	 * DataSource (joining the batch's transaction), then records how many marked rows its
	 * transaction sees.
	 */
	private static RecordingMigration markingMigration(List<Integer> migratedSeen) {
		RecordingMigration migration = new RecordingMigration("SELECT id, val FROM items WHERE migrated = 0",
				DataMigrationConfig.builder().batchSize(10).build());
		return migration.onBatch((rows) -> {
			JdbcTemplate app = TestApps.applicationJdbc();
			app.update("UPDATE items SET migrated = 1 WHERE id BETWEEN ? AND ?", rows.get(0).get("id"),
					rows.get(rows.size() - 1).get("id"));
			migratedSeen.add(app.queryForObject("SELECT COUNT(*) FROM items WHERE migrated = 1", Integer.class));
		});
	}

}
