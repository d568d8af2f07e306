package dev.backfill.core;

import java.util.List;
import java.util.Map;

import dev.backfill.DataMigrationConfig;
import dev.backfill.DataMigrationException;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** Bad input gives a clear error naming the migration or property, and writes nothing to user tables. */
class BadInputTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void baseQueryThatIsNotValidSqlFailsNamingTheMigration(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			RecordingMigration migration = writing(new RecordingMigration("SELEC id FRM items"));
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("typo", migration)))
				.withMessageContaining("Base query of migration 'typo' cannot be run")
				.withMessageContaining("[SELEC id FRM items]");
			assertNothingWritten(jdbc, migration);
			assertThat((String) Tracking.row(jdbc, "typo").get("last_error")).contains("Base query of migration 'typo'");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void baseQueryWithoutTheKeyColumnFailsNamingMigrationAndColumn(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			RecordingMigration migration = writing(new RecordingMigration("SELECT val FROM items"));
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("noKey", migration)))
				.withMessageContaining("Base query of migration 'noKey' does not select its key column 'id'");
			assertNothingWritten(jdbc, migration);
		}
	}

	@Test
	void keyColumnThatIsNotAPlainIdentifierIsRefusedByTheBuilder() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> DataMigrationConfig.builder().keyColumn("id; DELETE FROM items"))
			.withMessage("keyColumns must name one or more distinct columns, each a plain SQL identifier (a letter or "
					+ "underscore, then letters, digits or underscores, at most 63) but was [id; DELETE FROM items]");
	}

	@Test
	void compositeKeyWithABadColumnARepeatedOneOrNoneIsRefusedByTheBuilder() {
		for (String[] columns : new String[][] { { "tenant_id", "id; --" }, { "tenant_id", "ID", "id" }, {} }) {
			assertThatIllegalArgumentException().isThrownBy(() -> DataMigrationConfig.builder().keyColumns(columns))
				.withMessage("keyColumns must name one or more distinct columns, each a plain SQL identifier (a "
						+ "letter or underscore, then letters, digits or underscores, at most 63) but was "
						+ List.of(columns));
		}
		assertThat(DataMigrationConfig.builder().keyColumns("tenant_id", "id").build().keyColumns())
			.containsExactly("tenant_id", "id");
		assertThat(DataMigrationConfig.builder().keyColumn("code").build())
			.isEqualTo(DataMigrationConfig.builder().keyColumns("code").build());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void tableNameWithQuoteOrSemicolonStopsStartupNamingTheProperty(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			for (String tableName : new String[] { "backfill'; DROP TABLE items; --", "backfill;items" }) {
				RecordingMigration migration = writing(new RecordingMigration("SELECT id FROM items"));
				assertThatException()
					.isThrownBy(() -> TestApps.run(schema, Map.of("anything", migration),
							"backfill.table-name=" + tableName))
					.withStackTraceContaining("Property backfill.table-name with value '" + tableName + "' is invalid");
				assertNothingWritten(jdbc, migration);
			}
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM items", Integer.class)).isEqualTo(10);
		}
	}

	/** Writes to the user table on every batch, so that any batch that ran would show. */
	private static RecordingMigration writing(RecordingMigration migration) {
		return migration.onBatch((rows) -> TestApps.applicationJdbc().update("UPDATE items SET migrated = 1"));
	}

	private static void assertNothingWritten(JdbcTemplate jdbc, RecordingMigration migration) {
		assertThat(migration.batches()).isEmpty();
		assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM items", Integer.class)).isZero();
	}

}
