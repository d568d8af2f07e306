package dev.backfill.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.backfill.BackfillMode;
import dev.backfill.MigrationListener;
import dev.backfill.SqlMigration;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.testsupport.SqlMigrations;
import dev.backfill.testsupport.StatementCounter;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A {@link SqlMigration}'s batch as one statement on PostgreSQL (read the keys, update,
 * save the checkpoint), and the same outcomes on MariaDB and H2, which run the three as
 * statements of their own: the batch's statement count, what commits together, and the
 * key rules that still hold.
 */
class SqlMigrationOneStatementTests {

	private static final String BY_KEYS = "UPDATE items SET migrated = migrated + 1 WHERE id IN (:keys)";

	private static final String BY_RANGE = "UPDATE items SET migrated = migrated + 1 "
			+ "WHERE id BETWEEN :first AND :last AND val <> 3";

	@Test
	void postgresBatchIsOneStatementThatReadsUpdatesAndCheckpointsThenItsCommit() {
		try (TestSchema schema = TestDatabases.postgres().createSchema()) {
			TestTables.createItems(schema.jdbc(), 1050);
			StatementCounter counter = new StatementCounter(schema.dataSource());
			List<Integer> boundaries = new ArrayList<>();
			MigrationListener marks = new MigrationListener() {
				@Override
				public void batchSucceeded(String name, int rows, Duration duration) {
					boundaries.add(counter.events().size());
				}
			};
			MigrationResult result = run(counter.dataSource(), "SELECT id FROM items", BY_KEYS, 100, marks);
			assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.COMPLETED);
			assertThat(boundaries).hasSize(11);
			List<String> events = counter.events();
			// Batches 2 to 10 (the first also holds the run's start, the last its completion).
			for (int batch = 2; batch <= 10; batch++) {
				List<String> ofBatch = events.subList(boundaries.get(batch - 2), boundaries.get(batch - 1));
				assertThat(ofBatch).as("statements of batch %d", batch).hasSize(2);
				assertThat(ofBatch.get(0)).contains("UPDATE items SET migrated", "UPDATE backfill_migrations SET");
				assertThat(ofBatch.get(1)).isEqualTo(StatementCounter.COMMIT);
			}
			assertThat(counts(schema.jdbc(), "1 = 1")).containsExactly(Map.entry(1, 1050));
			assertCompleted(schema.jdbc(), 1050, 11, "1050");
		}
	}

	@Test
	void rateSavedInsideTheBatchsStatementIsTheRateOfTheTenBatchesBeforeIt() {
		try (TestSchema schema = TestDatabases.postgres().createSchema()) {
			TestTables.createItems(schema.jdbc(), 3000);
			JdbcTemplate jdbc = schema.jdbc();
			List<Long> ended = new ArrayList<>();
			MigrationListener listener = new MigrationListener() {
				@Override
				public void batchSucceeded(String name, int rows, Duration duration) {
					ended.add(System.nanoTime());
				}
			};
			// Read as each batch's statement is about to run: the rate the batch before saved. (Not
			// read in the listener, whose time would fall between its clock and the runner's.)
			List<Double> savedByBatchBefore = new ArrayList<>();
			StatementCounter counter = new StatementCounter(schema.dataSource()).whenPrepared((sql) -> {
				if (sql.startsWith("WITH backfill_read")) {
					savedByBatchBefore.add(jdbc.queryForObject(
							"SELECT rows_per_second FROM backfill_migrations WHERE name = 'fill'", Double.class));
				}
			});
			MigrationResult result = run(counter.dataSource(), "SELECT id FROM items", BY_KEYS, 100, listener);
			assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.COMPLETED);
			assertThat(savedByBatchBefore).hasSize(30);
			assertThat(savedByBatchBefore.get(1)).as("rate saved by the first batch: none yet").isNull();
			// Batch n's checkpoint is written by its statement, before its own time is known: its
			// rate is batches n-10 to n-1's, 1,000 rows over the time from the end of batch n-11 to
			// that of n-1. Counting batch n's rows without its time would show about 10/9 of it.
			for (int n = 12; n < 30; n++) {
				double expected = 1000 * 1e9 / (ended.get(n - 2) - ended.get(n - 12));
				// Wide enough for a GC pause between the two clocks' reads; 10/9 stays outside.
				assertThat(savedByBatchBefore.get(n) / expected).as("rate saved by batch %d / its window's", n)
					.isBetween(0.93, 1.05);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void eachSelectedRowIsUpdatedOnceByRangeAndByKeys(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 1000);
			assertThat(run(schema.dataSource(), "SELECT id FROM items WHERE val <> 3", BY_RANGE, 100).outcome())
				.isEqualTo(MigrationResult.Outcome.COMPLETED);
			// 900 selected rows in batches of 100: the 9th full one is the last (no peek row).
			assertCompleted(schema.jdbc(), 900, 9, "1000");
			assertThat(counts(schema.jdbc(), "val <> 3")).containsExactly(Map.entry(1, 900));
			assertThat(counts(schema.jdbc(), "val = 3")).containsExactly(Map.entry(0, 100));
			schema.jdbc().update("DELETE FROM backfill_migrations");
			assertThat(run(schema.dataSource(), "SELECT id FROM items WHERE val <> 3", BY_KEYS, 100).outcome())
				.isEqualTo(MigrationResult.Outcome.COMPLETED);
			assertThat(counts(schema.jdbc(), "val <> 3")).containsExactly(Map.entry(2, 900));
			assertThat(counts(schema.jdbc(), "val = 3")).containsExactly(Map.entry(0, 100));
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void migrationWithNoRowsCompletesWithNoBatch(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			assertThat(run(schema.dataSource(), "SELECT id FROM items WHERE val > 10", BY_KEYS, 100).outcome())
				.isEqualTo(MigrationResult.Outcome.COMPLETED);
			assertCompleted(schema.jdbc(), 0, 0, null);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void duplicateKeyAcrossTheBatchEndIsRefusedAndItsBatchRolledBack(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE items (id BIGINT NOT NULL, val INT NOT NULL, migrated INT NOT NULL)");
			TestTables.insert(jdbc, "INSERT INTO items (id, val, migrated) VALUES (?, 0, 0)", 300,
					(i) -> new Object[] { (long) i });
			// Key 200 twice: the last row of batch 2 and its peek row.
			jdbc.update("INSERT INTO items (id, val, migrated) VALUES (200, 0, 0)");
			assertThatException().isThrownBy(() -> run(schema.dataSource(), "SELECT id FROM items", BY_KEYS, 100))
				.withMessageContaining("value 200 occurs more than once (in batch 2)");
			assertThat(counts(jdbc, "id <= 100")).containsExactly(Map.entry(1, 100));
			assertThat(counts(jdbc, "id > 100")).as("batch 2 rolled back").containsExactly(Map.entry(0, 201));
			Map<String, Object> row = Tracking.row(jdbc, "fill");
			assertThat(row.get("last_key")).isEqualTo("100");
			assertThat(((Number) row.get("batches")).longValue()).isOne();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void nullKeyInsertedDuringTheRunIsRefusedAndItsBatchRolledBack(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE items (id BIGINT, val INT NOT NULL, migrated INT NOT NULL)");
			TestTables.insert(jdbc, "INSERT INTO items (id, val, migrated) VALUES (?, 0, 0)", 150,
					(i) -> new Object[] { (long) i });
			// After batch 1, a row with a NULL key: batch 2 (keys 101 to 150) reads it (NULLs sort last
			// on PostgreSQL; MariaDB and H2 sort them first, and the last batch's NULL-key check finds it).
			MigrationListener insertNullKey = new MigrationListener() {
				@Override
				public void batchSucceeded(String name, int rows, Duration duration) {
					jdbc.update("INSERT INTO items (id, val, migrated) SELECT NULL, 0, 0 WHERE NOT EXISTS "
							+ "(SELECT 1 FROM items WHERE id IS NULL)");
				}
			};
			assertThatException()
				.isThrownBy(() -> run(schema.dataSource(), "SELECT id FROM items", BY_KEYS, 100, insertNullKey))
				.withMessageContaining("has rows whose key column 'id' is NULL");
			assertThat(counts(jdbc, "id <= 100")).containsExactly(Map.entry(1, 100));
			assertThat(counts(jdbc, "id > 100")).as("batch 2 rolled back").containsExactly(Map.entry(0, 50));
			assertThat(((Number) Tracking.row(jdbc, "fill").get("batches")).longValue()).isOne();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void leaseTakenMidRunRollsBackTheNextBatchAsALostLease(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			MigrationListener takeLease = new MigrationListener() {
				@Override
				public void batchSucceeded(String name, int rows, Duration duration) {
					jdbc.update("UPDATE backfill_migrations SET lease_owner = 'another-instance' WHERE name = ?", name);
				}
			};
			// The refused checkpoint is a lost lease, not a failure: the runner then waits for the other owner.
			assertThatException()
				.isThrownBy(() -> run(schema.dataSource(), "SELECT id FROM items", BY_KEYS, 100, takeLease))
				.withMessageContaining("waiting for migration 'fill', which instance another-instance is running");
			assertThat(counts(jdbc, "id <= 100")).containsExactly(Map.entry(1, 100));
			assertThat(counts(jdbc, "id > 100")).as("batch 2 rolled back").containsExactly(Map.entry(0, 400));
			assertThat(Tracking.row(jdbc, "fill").get("last_key")).isEqualTo("100");
		}
	}

	@Test
	void failureAtCommitAfterTheUpdateLeavesNeitherUpdateNorCheckpointAndTheRunResumesThere() {
		try (TestSchema schema = TestDatabases.postgres().createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			// A deferred constraint trigger fails the commit of the batch that updates row 250: after
			// the batch's one statement has run, update and checkpoint both.
			jdbc.execute("CREATE FUNCTION refuse_at_commit() RETURNS trigger LANGUAGE plpgsql AS "
					+ "$$ BEGIN RAISE EXCEPTION 'row 250 refused at commit'; END $$");
			jdbc.execute("CREATE CONSTRAINT TRIGGER refuse_250 AFTER UPDATE ON items DEFERRABLE INITIALLY DEFERRED "
					+ "FOR EACH ROW WHEN (NEW.id = 250) EXECUTE FUNCTION refuse_at_commit()");
			StatementCounter counter = new StatementCounter(schema.dataSource());
			assertThatException().isThrownBy(() -> run(counter.dataSource(), "SELECT id FROM items", BY_KEYS, 100))
				.withMessageContaining("failed in batch 3 (keys 201 to 300)")
				.withStackTraceContaining("row 250 refused at commit");
			assertThat(counter.events()).as("the batches ran as one statement each")
				.anySatisfy((sql) -> assertThat(sql).contains("backfill_checkpoint"));
			Map<String, Object> row = Tracking.row(jdbc, "fill");
			assertThat(row.get("last_key")).isEqualTo("200");
			assertThat(((Number) row.get("batches")).longValue()).isEqualTo(2);
			assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(200);
			assertThat(counts(jdbc, "id <= 200")).containsExactly(Map.entry(1, 200));
			assertThat(counts(jdbc, "id > 200")).containsExactly(Map.entry(0, 300));

			jdbc.execute("DROP TRIGGER refuse_250 ON items");
			assertThat(run(schema.dataSource(), "SELECT id FROM items", BY_KEYS, 100).outcome())
				.isEqualTo(MigrationResult.Outcome.COMPLETED);
			assertThat(counts(jdbc, "1 = 1")).containsExactly(Map.entry(1, 500));
			assertCompleted(jdbc, 500, 5, "500");
		}
	}

	private static MigrationResult run(DataSource dataSource, String baseQuery, String updateSql, int batchSize) {
		return run(dataSource, baseQuery, updateSql, batchSize, MigrationListener.NONE);
	}

	/** Runs migration {@code fill} with the runner alone (no Spring Boot), no throttle, no retry. */
	private static MigrationResult run(DataSource dataSource, String baseQuery, String updateSql, int batchSize,
			MigrationListener listener) {
		MigrationDatabase database = MigrationDatabase.of(dataSource, "backfill_migrations");
		database.store().createTableIfMissing();
		SqlMigration migration = SqlMigrations.of(baseQuery, updateSql);
		MigrationSettings settings = new MigrationSettings("fill", true, batchSize, Duration.ZERO, "id", true, null,
				null);
		// A lease-taking test's wait for the other owner only has to end: that owner's lease
		// (a minute) outlives any lock wait, so 200 ms proves what 5 s would.
		RunnerSettings runnerSettings = new RunnerSettings(Duration.ofMinutes(1), Duration.ofMillis(200), 1,
				Duration.ofMillis(10), Duration.ofMillis(10));
		return new BackfillRunner(List.of(MigrationTarget.of(migration, settings, database)), runnerSettings,
				listener)
			.run(BackfillMode.BLOCKING)
			.get(0);
	}

	private static void assertCompleted(JdbcTemplate jdbc, long rows, long batches, String lastKey) {
		SqlMigrationTests.assertCompleted(jdbc, "fill", rows, batches, lastKey);
	}

	private static Map<Integer, Integer> counts(JdbcTemplate jdbc, String condition) {
		return SqlMigrationTests.counts(jdbc, condition);
	}

}
