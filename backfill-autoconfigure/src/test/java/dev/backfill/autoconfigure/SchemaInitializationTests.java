package dev.backfill.autoconfigure;

import java.util.Map;

import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** Where and when the tracking table is created. */
class SchemaInitializationTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void trackingTableIsCreatedAfterFlywayWhichMayCreateItItself(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			// Flyway's script creates backfill_migrations: had backfill created it first, the
			// script would fail with "table already exists".
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("afterFlyway", migration),
					"spring.flyway.enabled=true", "spring.flyway.locations=classpath:db/backfill-flyway/{vendor}")) {
				assertThat(migration.callsPerKey()).containsOnlyKeys("1", "2", "3");
			}
			Map<String, Object> row = Tracking.row(schema.jdbc(), "afterFlyway");
			assertThat(row.get("status")).isEqualTo("COMPLETED");
			assertThat(row.get("team")).isEqualTo("data");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void customTableNameIsCreatedAndUsed(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 5);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("custom", migration),
					"backfill.table-name=team_backfills")) {
				assertThat(migration.callsPerKey()).hasSize(5);
			}
			assertThat(Tracking.row(schema.jdbc(), "team_backfills", "custom").get("status")).isEqualTo("COMPLETED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void neverInitializingLeavesTheTableToTheApplication(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 5);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			assertThatException()
				.isThrownBy(() -> TestApps.run(schema, Map.of("noTable", migration), "backfill.initialize-schema=never"))
				.withStackTraceContaining("Cannot read the backfill tracking table 'backfill_migrations'");
			assertThat(migration.batches()).isEmpty();
			assertThat(schema.jdbc().queryForObject("SELECT SUM(migrated) FROM items", Integer.class)).isZero();
		}
	}

	@Test
	void postgresTrackingTableIsTheOneInTheCurrentSchemaNotAnotherOnTheSearchPath() {
		try (TestSchema other = TestDatabases.postgres().createSchema();
				TestSchema schema = TestDatabases.postgres().createSchema()) {
			String otherSchema = other.url().replaceAll(".*currentSchema=", "");
			JdbcTemplate otherJdbc = other.jdbc();
			otherJdbc.execute("CREATE TABLE backfill_migrations (name VARCHAR(200) PRIMARY KEY, unrelated INT)");
			TestTables.createItems(schema.jdbc(), 5);
			TestSchema searchingBoth = schema.withUrl(schema.url() + "," + otherSchema);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			try (ConfigurableApplicationContext app = TestApps.run(searchingBoth, Map.of("mine", migration))) {
				assertThat(migration.callsPerKey()).hasSize(5);
			}
			assertThat(Tracking.row(schema.jdbc(), "mine").get("status")).isEqualTo("COMPLETED");
			assertThat(otherJdbc.queryForObject("SELECT COUNT(*) FROM backfill_migrations", Integer.class)).isZero();
		}
	}

}
