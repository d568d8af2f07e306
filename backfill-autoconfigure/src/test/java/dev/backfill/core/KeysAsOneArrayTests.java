package dev.backfill.core;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

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
import dev.backfill.testsupport.SqlMigrations;
import dev.backfill.testsupport.StatementCounter;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@link SqlMigration}'s {@code IN (:keys)}: where the batch's update is a statement of
 * its own (a migration that is not transactional), on PostgreSQL integer and UUID
 * keys are bound as one array ({@code = ANY (?)}, one parameter, the same text for every
 * batch), text keys (whose column may be {@code char(n)}) and other databases' keys as a
 * parameter per key; where the batch is one statement (PostgreSQL, an integer, decimal or
 * UUID key), the keys are one array in it. Either way each row once, and the checkpoint's
 * last key is the one Java read (smallint and decimal keys come back from an array with
 * Java types of their own).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KeysAsOneArrayTests {

	static Stream<Arguments> databasesAndKeys() {
		return TestDatabases.all()
			.flatMap((database) -> Stream.of(Arguments.of(database, "VARCHAR(20)", true, 1),
					Arguments.of(database, "BIGINT", false, 1), Arguments.of(database, "INT", true, 2),
					Arguments.of(database, uuidType(database), true, 2),
					Arguments.of(database, uuidType(database), true, 1), Arguments.of(database, "SMALLINT", true, 1),
					Arguments.of(database, "DECIMAL(12,2)", true, 1)));
	}

	@ParameterizedTest(name = "{0}: {1} key, transactional {2}, parallelism {3}")
	@MethodSource("databasesAndKeys")
	void theBatchsKeysGoAsOneArrayOnPostgresqlAndEachRowIsUpdatedOnce(TestDatabase database, String keyType,
			boolean transactional, int parallelism) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE items_k (k " + keyType + " PRIMARY KEY, migrated INT NOT NULL)");
			TestTables.insert(jdbc, "INSERT INTO items_k (k, migrated) VALUES (?, 0)", 950,
					(i) -> new Object[] { key(keyType, i) });
			SqlMigration migration = SqlMigrations.of("SELECT k FROM items_k",
					"UPDATE items_k SET migrated = migrated + 1 WHERE k IN (:keys)");
			MigrationSettings settings = new MigrationSettings("byKeys", true, 100, Duration.ZERO, "k", transactional,
					null, null)
				.withParallelism(parallelism);
			try (HikariDataSource pool = schema.newDataSource(parallelism + 2)) {
				StatementCounter statements = new StatementCounter(pool);
				MigrationDatabase migrations = MigrationDatabase.of(statements.dataSource(), "backfill_migrations");
				migrations.store().createTableIfMissing();
				BackfillRunner runner = new BackfillRunner(
						List.of(MigrationTarget.of(migration, settings, migrations)), new RunnerSettings(
								Duration.ofSeconds(10), Duration.ofSeconds(30), 3, Duration.ofMillis(10),
								Duration.ofMillis(100)),
						MigrationListener.NONE);
				assertThat(runner.run(BackfillMode.BLOCKING)).extracting(MigrationResult::outcome)
					.containsExactly(MigrationResult.Outcome.COMPLETED);
				List<String> updates = statements.events()
					.stream()
					.filter((sql) -> sql.startsWith("UPDATE items_k") || sql.startsWith("WITH backfill_read"))
					.toList();
				assertThat(updates).hasSizeGreaterThanOrEqualTo(10);
				boolean oneStatement = transactional && !keyType.startsWith("VARCHAR");
				if (database.name().equals("PostgreSQL") && oneStatement) {
					// The batch read, updated and checkpointed by one statement, the keys one array in it.
					assertThat(updates).allMatch((sql) -> sql.startsWith("WITH backfill_read")
							&& sql.contains("WHERE k = ANY (ARRAY(SELECT unnest(backfill_batch_keys) FROM backfill_read))"));
				}
				else if (database.name().equals("PostgreSQL") && !keyType.startsWith("VARCHAR")) {
					assertThat(updates).containsOnly("UPDATE items_k SET migrated = migrated + 1 WHERE k = ANY (?)");
				}
				else {
					assertThat(updates).allMatch((sql) -> sql.contains("k IN (?, ?, ?"));
				}
			}
			assertThat(jdbc.queryForList("SELECT migrated, COUNT(*) AS n FROM items_k GROUP BY migrated"))
				.extracting((row) -> Map.entry(((Number) row.get("migrated")).intValue(),
						((Number) row.get("n")).intValue()))
				.containsExactly(Map.entry(1, 950));
		}
	}

	private static Object key(String keyType, int i) {
		return switch (keyType) {
			case "VARCHAR(20)" -> String.format("c%04d", i);
			case "UUID" -> new UUID(0, i);
			case "CHAR(36)" -> new UUID(0, i).toString();
			// Halves with the column's scale (5.50, 6.00): the checkpoint's text of a key is the
			// database's, trailing zeros included, not an integer's or a stripped decimal's.
			case "DECIMAL(12,2)" -> new BigDecimal("0.50").multiply(BigDecimal.valueOf(i));
			default -> (long) i;
		};
	}

	private static String uuidType(TestDatabase database) {
		return database.name().equals("MariaDB") ? "CHAR(36)" : "UUID";
	}

}
