package dev.backfill.core;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.backfill.DataMigrationConfig;
import dev.backfill.DataMigrationException;
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

/** Base queries as people write them: with comments and a terminator, but no row limit of their own. */
class BaseQueryShapeTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void baseQueriesEndingInCommentsOrATerminatorMigrateEveryRow(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 25);
			DataMigrationConfig config = DataMigrationConfig.builder().batchSize(10).build();
			Map<String, RecordingMigration> migrations = new LinkedHashMap<>();
			migrations.put("lineComment", new RecordingMigration(
					"SELECT id, val /* not LIMIT 1 */ FROM items ORDER BY val -- every item, no LIMIT", config));
			migrations.put("blockComment", new RecordingMigration("SELECT id, val FROM items /* every item */", config));
			migrations.put("terminated", new RecordingMigration("SELECT id, val FROM items; -- done\n", config));
			try (ConfigurableApplicationContext app = TestApps.run(schema, migrations, "backfill.throttle=0")) {
				migrations.forEach((name, migration) -> {
					assertThat(migration.callsPerKey()).as(name).hasSize(25);
					assertThat(migration.callsPerKey().values()).as(name).containsOnly(1);
				});
			}
			for (String name : migrations.keySet()) {
				assertThat(Tracking.row(jdbc, name).get("status")).as(name).isEqualTo("COMPLETED");
			}
		}
	}

	/**
	 * MariaDB reads a backslash in a string as an escape, PostgreSQL and H2 as text: the
	 * word LIMIT in these strings is not a clause on either reading.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void limitInsideAStringWithABackslashIsAllowed(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 25);
			String condition = database.name().equals("MariaDB") ? "'it\\'s LIMIT 5' IS NOT NULL"
					: "'C:\\' <> ' LIMIT 5'";
			RecordingMigration migration = new RecordingMigration("SELECT id, val FROM items WHERE " + condition,
					DataMigrationConfig.builder().batchSize(10).build());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("quoted", migration),
					"backfill.throttle=0")) {
				assertThat(migration.callsPerKey()).hasSize(25);
			}
			assertThat(Tracking.row(jdbc, "quoted").get("status")).isEqualTo("COMPLETED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void baseQueryWithItsOwnLimitIsRefusedBeforeAnyBatch(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 100);
			RecordingMigration migration = new RecordingMigration("SELECT id, val FROM items ORDER BY id LIMIT 20",
					DataMigrationConfig.builder().batchSize(10).build())
				.onBatch((rows) -> TestApps.applicationJdbc().update("UPDATE items SET migrated = 1"));
			String message = "Base query of migration 'firstTwenty' has its own top-level LIMIT; backfill adds its "
					+ "own LIMIT per batch, so a base query's LIMIT/OFFSET/FETCH would end the migration early";
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("firstTwenty", migration), "backfill.throttle=0"))
				.withMessageContaining(message);
			assertThat(migration.batches()).isEmpty();
			assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM items", Integer.class)).isZero();
			Map<String, Object> row = UniqueNotNullKeysTests.assertFailedAfter(jdbc, "firstTwenty", 0);
			assertThat((String) row.get("last_error")).contains(message);
		}
	}

}
