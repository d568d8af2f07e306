package dev.backfill.core;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import dev.backfill.DataMigrationConfig;
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
 * The verify pass: rows inserted behind the cursor during a run are counted when the
 * cursor reaches the end, recorded as {@code remaining_rows} and warned about; with
 * {@code sweep} further passes from the first key migrate them, bounded by
 * {@code max-passes}.
 */
@ExtendWith(OutputCaptureExtension.class)
class VerifyPassTests {

	/** The rows left behind: keys below the cursor, inserted while batch 2 runs. */
	private static final List<Long> BEHIND = List.of(1L, 3L, 5L);

	private static final String UNMIGRATED = "SELECT id FROM items WHERE migrated = 0";

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void rowsInsertedBehindTheCursorAreCountedAndWarnedAbout(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvenItems(jdbc);
			RecordingMigration migration = insertingBehindTheCursor(jdbc, UNMIGRATED,
					DataMigrationConfig.builder().batchSize(10).build());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("markItems", migration),
					"backfill.throttle=0")) {
				assertThat(migration.batches()).hasSize(3);
			}
			Map<String, Object> row = Tracking.row(jdbc, "markItems");
			assertThat(row.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) row.get("remaining_rows")).longValue()).isEqualTo(3);
			assertThat(migratedCounts(jdbc, "id IN (1, 3, 5)")).isEqualTo(Map.of(0, 3));
			assertThat(migratedCounts(jdbc, "id NOT IN (1, 3, 5)")).isEqualTo(Map.of(1, 30));
			assertThat(output.getOut()).contains("WARN")
				.contains("Backfill migration 'markItems' completed, but its base query still returns 3 rows "
						+ "(recorded as remaining_rows), inserted or changed behind the cursor while it ran. Enable "
						+ "backfill.migrations.markItems.sweep to migrate them in further passes, or make the base "
						+ "query exclude migrated rows if it returns them too");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void sweepMigratesTheRowsLeftBehindOnceEachInASecondPass(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvenItems(jdbc);
			RecordingMigration migration = insertingBehindTheCursor(jdbc, UNMIGRATED,
					DataMigrationConfig.builder().batchSize(10).sweep(true).build());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("markItems", migration),
					"backfill.throttle=0")) {
				assertThat(migration.batches()).hasSize(4);
				assertThat(migration.batches().get(3)).containsExactly("1", "3", "5");
			}
			assertSweptOnceEach(jdbc);
			assertThat(output.getOut()).contains("Backfill migration 'markItems': pass 1 reached the end with 3 rows "
					+ "of the base query left behind the cursor; pass 2 of at most 3 starts from the first key")
				.doesNotContain("completed, but its base query still returns");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void sweepInterruptedBetweenPassesResumesTheSecondPassFromTheFirstKey(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvenItems(jdbc);
			DataMigrationConfig sweep = DataMigrationConfig.builder().batchSize(10).sweep(true).build();
			// Batch 4 is the second pass's first.
			RecordingMigration failing = insertingBehindTheCursor(jdbc, UNMIGRATED, sweep).failAtBatch(4);
			assertThatException().isThrownBy(
					() -> TestApps.run(schema, Map.of("markItems", failing), "backfill.throttle=0"));
			Map<String, Object> failed = Tracking.row(jdbc, "markItems");
			assertThat(failed.get("status")).isEqualTo("FAILED");
			assertThat(((Number) failed.get("pass")).intValue()).isEqualTo(2);
			assertThat(failed.get("last_key")).isNull();
			assertThat(((Number) failed.get("remaining_rows")).longValue()).isEqualTo(3);
			RecordingMigration resumed = new RecordingMigration(UNMIGRATED, sweep).onBatch(marking());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("markItems", resumed),
					"backfill.throttle=0")) {
				assertThat(resumed.batches()).containsExactly(List.of("1", "3", "5"));
			}
			assertSweptOnceEach(jdbc);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void maxPassesBoundsASweepOfABaseQueryThatNeverEmpties(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvenItems(jdbc);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().batchSize(10).build())
				.onBatch(marking());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("markItems", migration),
					"backfill.throttle=0", "backfill.migrations.mark-items.sweep=true",
					"backfill.migrations.mark-items.max-passes=2")) {
				assertThat(migration.batches()).hasSize(6);
			}
			Map<String, Object> row = Tracking.row(jdbc, "markItems");
			assertThat(row.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) row.get("pass")).intValue()).isEqualTo(2);
			assertThat(((Number) row.get("remaining_rows")).longValue()).isEqualTo(30);
			assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(60);
			assertThat(migratedCounts(jdbc, "1 = 1")).isEqualTo(Map.of(2, 30));
			assertThat(output.getOut()).contains("Backfill migration 'markItems' completed, but its base query still "
					+ "returns 30 rows (recorded as remaining_rows), inserted or changed behind the cursor while it "
					+ "ran; the sweep stopped after 2 passes (max-passes 2). If the base query returns migrated rows "
					+ "too, make it exclude them");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void verifyOffCountsNothingForABaseQueryThatReturnsMigratedRows(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvenItems(jdbc);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().batchSize(10).verify(false).build())
				.onBatch(marking());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("markItems", migration),
					"backfill.throttle=0")) {
				assertThat(migration.batches()).hasSize(3);
			}
			Map<String, Object> row = Tracking.row(jdbc, "markItems");
			assertThat(row.get("status")).isEqualTo("COMPLETED");
			assertThat(row.get("remaining_rows")).isNull();
			assertThat(output.getOut()).doesNotContain("still returns");
		}
	}

	/** Items 2, 4, ..., 60, unmigrated: odd keys are free below the cursor. */
	private static void createEvenItems(JdbcTemplate jdbc) {
		jdbc.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, migrated INT NOT NULL)");
		TestTables.insert(jdbc, "INSERT INTO items (id, migrated) VALUES (?, 0)", 30,
				(i) -> new Object[] { 2L * i });
	}

	/**
	 * Marks each row once more, and while batch 2 runs inserts {@link #BEHIND}, below its
	 * keys, through the test's own connection, committed at once.
	 */
	private static RecordingMigration insertingBehindTheCursor(JdbcTemplate testJdbc, String baseQuery,
			DataMigrationConfig config) {
		AtomicBoolean inserted = new AtomicBoolean();
		RecordingMigration migration = new RecordingMigration(baseQuery, config);
		return migration.onBatch((rows) -> {
			marking().accept(rows);
			if (migration.batches().size() == 2 && inserted.compareAndSet(false, true)) {
				BEHIND.forEach((id) -> testJdbc.update("INSERT INTO items (id, migrated) VALUES (?, 0)", id));
			}
		});
	}

	/** Adds 1 to each row's {@code migrated} through the application's DataSource, in the batch's transaction. */
	private static Consumer<List<Map<String, Object>>> marking() {
		return (rows) -> TestApps.applicationJdbc()
			.batchUpdate("UPDATE items SET migrated = migrated + 1 WHERE id = ?",
					rows.stream().map((row) -> new Object[] { row.get("id") }).toList());
	}

	private static void assertSweptOnceEach(JdbcTemplate jdbc) {
		Map<String, Object> row = Tracking.row(jdbc, "markItems");
		assertThat(row.get("status")).isEqualTo("COMPLETED");
		assertThat(((Number) row.get("pass")).intValue()).isEqualTo(2);
		assertThat(((Number) row.get("remaining_rows")).longValue()).isZero();
		assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(33);
		assertThat(migratedCounts(jdbc, "1 = 1")).isEqualTo(Map.of(1, 33));
	}

	/** How many rows matching a condition have each {@code migrated} count. */
	private static Map<Integer, Integer> migratedCounts(JdbcTemplate jdbc, String condition) {
		Map<Integer, Integer> counts = new TreeMap<>();
		jdbc.query("SELECT migrated, COUNT(*) AS n FROM items WHERE " + condition + " GROUP BY migrated",
				(rs) -> {
					counts.put(rs.getInt("migrated"), rs.getInt("n"));
				});
		return counts;
	}

}
