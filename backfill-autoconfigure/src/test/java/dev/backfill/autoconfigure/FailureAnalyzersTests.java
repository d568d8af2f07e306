package dev.backfill.autoconfigure;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;

import javax.sql.DataSource;

import dev.backfill.internal.store.MigrationStore;
import dev.backfill.internal.store.SqlDialect;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Each startup failure of backfill is reported by Spring Boot's failure analysis, with a
 * description of what happened and an action, in the output of a real application.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailureAnalyzersTests {

	@Test
	void failedMigrationInBlockingModeDescribesTheBatchAndAdvisesBackgroundMode(CapturedOutput output) {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			RecordingMigration failing = new RecordingMigration("SELECT id FROM items").failAtBatch(1);
			assertThatException().isThrownBy(() -> TestApps.run(schema, Map.of("failing", failing),
					"backfill.batch-size=10"));
			assertFailureReport(output,
					"Migration 'failing' failed in batch 1 (keys 1 to 10) after 1 attempt(s): "
							+ "IllegalStateException: boom in batch 1",
					"Fix what failed the batch, then start the application again: the migration resumes from its "
							+ "last checkpoint. To let the application start while a migration fails, set "
							+ "backfill.mode=background.");
		}
	}

	@Test
	void lockWaitTimeoutNamesTheOwnerAndAdvisesWaitingLongerOrBackgroundMode(CapturedOutput output) {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			new MigrationStore(schema.dataSource(), SqlDialect.forProductName("H2"), "backfill_migrations")
				.createTableIfMissing();
			schema.jdbc()
				.update("INSERT INTO backfill_migrations (name, status, rows_processed, batches, lease_owner, "
						+ "lease_expires_at) VALUES ('busy', 'RUNNING', 0, 0, '4242@other-host#cafebabe', "
						+ "DATEADD(HOUR, 1, CURRENT_TIMESTAMP))");
			RecordingMigration busy = new RecordingMigration("SELECT id FROM items");
			assertThatException().isThrownBy(() -> TestApps.run(schema, Map.of("busy", busy),
					"backfill.lock-wait-timeout=1s"));
			assertFailureReport(output,
					"Timed out after backfill.lock-wait-timeout (1s) waiting for migration 'busy', which instance "
							+ "4242@other-host#cafebabe is running (status RUNNING, lease until ",
					"Start again once instance 4242@other-host#cafebabe has completed migration 'busy', raise "
							+ "backfill.lock-wait-timeout, or set backfill.mode=background to start without waiting "
							+ "for it. If that instance is gone, its lease expires at ");
			assertThat(busy.batches()).isEmpty();
		}
	}

	@Test
	void missingTrackingTableAdvisesCreatingItOrLettingBackfillCreateIt(CapturedOutput output) {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			assertThatException().isThrownBy(() -> TestApps.run(schema, Map.of("noTable", migration),
					"backfill.initialize-schema=never"));
			assertFailureReport(output,
					"Cannot read the backfill tracking table 'backfill_migrations' in the connection's current schema, "
							+ "needed by migration 'noTable': ",
					"Create table 'backfill_migrations' with the columns the README lists (for example in your "
							+ "Flyway or Liquibase scripts), set backfill.table-name to the table you created, or let "
							+ "backfill create it: backfill.initialize-schema=always.");
		}
	}

	@Test
	void unsupportedDatabaseNamesItAndAdvisesASupportedOneOrTurningBackfillOff(CapturedOutput output) {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			assertThatException().isThrownBy(
					() -> TestApps.builder(schema, Map.of("anything", migration)).sources(PosingAsOracle.class).run());
			assertFailureReport(output,
					"Database 'Oracle' is not supported by backfill (PostgreSQL, MariaDB/MySQL and H2 are)",
					"Run the data migrations on a PostgreSQL, MariaDB/MySQL or H2 DataSource, or turn backfill off: "
							+ "backfill.enabled=false.");
			assertThat(migration.batches()).isEmpty();
		}
	}

	@Test
	void invalidBaseQueryIsDescribedAndTheMigrationDefinitionIsToBeFixed(CapturedOutput output) {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			RecordingMigration typo = new RecordingMigration("SELEC id FRM items");
			assertThatException().isThrownBy(() -> TestApps.run(schema, Map.of("typo", typo)));
			assertFailureReport(output, "Base query of migration 'typo' cannot be run: ",
					"Fix the migration's baseQuery() or its key column: the base query must be valid SQL selecting "
							+ "the key column (DataMigrationConfig keyColumn, id by default), whose values are "
							+ "unique, not null, and integers, decimals, UUIDs or text.");
		}
	}

	@Test
	void dryRunOfANonTransactionalMigrationIsRefusedBeforeAnyBatch(CapturedOutput output) {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items")
				.onBatch((rows) -> TestApps.applicationJdbc().update("UPDATE items SET migrated = 1"));
			assertThatException().isThrownBy(() -> TestApps.run(schema, Map.of("markItems", migration),
					"backfill.dry-run=true", "backfill.migrations.mark-items.transactional=false"));
			assertThat(migration.batches()).isEmpty();
			assertThat(schema.jdbc().queryForObject("SELECT SUM(migrated) FROM items", Integer.class)).isZero();
			assertFailureReport(output,
					"Migration 'markItems' cannot run as a dry run: it is not transactional (transactional=false), "
							+ "so its writes commit on their own and could not be rolled back",
					"Set backfill.migrations.markItems.dry-run=false, or make the migration transactional for the "
							+ "dry run (backfill.migrations.markItems.transactional=true).");
		}
	}

	@Test
	void baseQueryWithoutTheKeyColumnAdvisesSelectingItOrChangingTheKey(CapturedOutput output) {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			RecordingMigration noKey = new RecordingMigration("SELECT val FROM items");
			assertThatException().isThrownBy(() -> TestApps.run(schema, Map.of("noKey", noKey)));
			assertFailureReport(output, "Base query of migration 'noKey' does not select its key column 'id' "
					+ "(it selects [VAL])",
					"Select column 'id' in the base query of migration 'noKey', or set its key column "
							+ "(DataMigrationConfig keyColumn) to one the query selects.");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void batchIdleLongerThanTheLeaseAdvisesAFasterMigrateASmallerBatchOrALongerLease(TestDatabase database,
			CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			RecordingMigration slow = new RecordingMigration("SELECT id FROM items")
				.onBatch((rows) -> pause(Duration.ofSeconds(3)));
			assertThatException().isThrownBy(() -> TestApps.run(schema, Map.of("slow", slow),
					"backfill.lease-duration=1s", "backfill.batch-size=10", "logging.level.com.zaxxer.hikari=OFF",
					"logging.level.org.springframework.transaction.support.TransactionTemplate=OFF"));
			// MariaDB closes the connection without saying why: one retry to tell it from a failover.
			int attempts = database.name().equals("PostgreSQL") ? 1 : 2;
			assertFailureReport(output,
					"Migration 'slow' failed in batch 1 (keys 1 to 10) after " + attempts
							+ " attempt(s): the database ended the "
							+ "batch's transaction after it sat idle longer than backfill.lease-duration (1s)",
					"A batch's transaction may not sit idle longer than the lease (backfill.lease-duration), since "
							+ "the database ends it then: make migrate faster or the batch smaller "
							+ "(backfill.migrations.slow.batch-size), or raise backfill.lease-duration.");
		}
	}

	/**
	 * Asserts Spring Boot's failure report: the description holds the expected text, and so
	 * does the action.
	 */
	private static void assertFailureReport(CapturedOutput output, String description, String action) {
		String all = output.getAll();
		int report = all.indexOf("APPLICATION FAILED TO START");
		assertThat(report).as("Spring Boot's failure report in the output:%n%s", all).isNotNegative();
		String text = all.substring(report);
		int descriptionAt = text.indexOf("Description:");
		int actionAt = text.indexOf("Action:");
		assertThat(descriptionAt).as("the report's description in:%n%s", text).isPositive();
		assertThat(actionAt).as("the report's action in:%n%s", text).isGreaterThan(descriptionAt);
		assertThat(text.substring(descriptionAt, actionAt)).contains(description);
		assertThat(text.substring(actionAt)).contains(action);
	}

	private static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** An H2 DataSource whose metadata says it is Oracle. */
	@Configuration(proxyBeanMethods = false)
	static class PosingAsOracle {

		@Bean
		DataSource dataSource(Environment environment) {
			DataSource h2 = new DriverManagerDataSource(environment.getRequiredProperty("spring.datasource.url"),
					environment.getRequiredProperty("spring.datasource.username"),
					environment.getProperty("spring.datasource.password", ""));
			return new DelegatingDataSource(h2) {

				@Override
				public Connection getConnection() throws SQLException {
					Connection connection = super.getConnection();
					return proxy(Connection.class, connection, (method) -> method.getName().equals("getMetaData")
							? proxy(DatabaseMetaData.class, connection.getMetaData(),
									(metaData) -> metaData.getName().equals("getDatabaseProductName") ? "Oracle" : null)
							: null);
				}

			};
		}

		/** A proxy that answers what {@code override} gives for a method, else the target. */
		private static <T> T proxy(Class<T> type, T target, ThrowingFunction override) {
			return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type },
					(proxy, method, args) -> {
						Object answer = override.apply(method);
						if (answer != null) {
							return answer;
						}
						try {
							return method.invoke(target, args);
						}
						catch (InvocationTargetException ex) {
							throw ex.getCause();
						}
					}));
		}

		interface ThrowingFunction {

			Object apply(Method method) throws SQLException;

		}

	}

}
