package dev.backfill.core;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import dev.backfill.DataMigrationException;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Statement and lock timeouts apply to a batch's transaction with the database's own
 * mechanism, and a pooled connection gets its settings back afterwards.
 */
class BatchTimeoutsTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void statementTimeoutCancelsASlowBatchStatement(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			String sleep = database.name().equals("PostgreSQL") ? "SELECT pg_sleep(3)" : "SELECT SLEEP(3)";
			RecordingMigration slow = new RecordingMigration("SELECT id FROM items")
				.onBatch((rows) -> TestApps.applicationJdbc().queryForList(sleep));
			String cancelled = database.name().equals("PostgreSQL") ? "canceling statement due to statement timeout"
					: "max_statement_time exceeded";
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("slow", slow), "backfill.statement-timeout=300ms",
						"backfill.retry.max-attempts=2", "backfill.retry.initial-backoff=10ms",
						"spring.datasource.hikari.maximum-pool-size=1"))
				.withMessageContaining("Migration 'slow' failed in batch 1 (keys 1 to 10) after 2 attempt(s)")
				.withMessageContaining(cancelled);
			assertThat(Tracking.row(schema.jdbc(), "slow").get("status")).isEqualTo("FAILED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void lockTimeoutGivesUpOnALockedRowAndTheRetrySucceedsOnceItIsFree(TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			try (Connection locker = schema.dataSource().getConnection()) {
				locker.setAutoCommit(false);
				locker.createStatement().executeUpdate("UPDATE items SET val = 99 WHERE id = 5");
				RecordingMigration migration = new RecordingMigration("SELECT id FROM items").onBatch((rows) -> {
					TestApps.applicationJdbc().update("UPDATE items SET migrated = 1 WHERE id <= 10");
				});
				String waitersOfLocker = lockWaitersSql(locker, database);
				// The lock is released only once the batch is being retried (migrate called again,
				// after the first attempt's lock timeout) and the retry waits for the row; or
				// after 30 s, failing the test, so that the application does not wait forever.
				CompletableFuture<Void> release = CompletableFuture.runAsync(() -> {
					try {
						awaitCondition("the batch's retry waiting for the locked row",
								() -> migration.batches().size() >= 2
										&& jdbc.queryForObject(waitersOfLocker, Integer.class) > 0);
					}
					finally {
						rollback(locker);
					}
				});
				try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("locked", migration),
						"backfill.lock-timeout=1s", "backfill.retry.max-attempts=30",
						"backfill.retry.initial-backoff=100ms", "backfill.retry.max-backoff=200ms")) {
					release.get(30, TimeUnit.SECONDS);
					assertThat(app.getBean(MeterRegistry.class)
						.get(MicrometerMigrationListener.RETRIES)
						.counters()).singleElement()
						.satisfies((retries) -> assertThat(retries.count()).isGreaterThanOrEqualTo(1));
				}
				finally {
					release.cancel(true);
				}
			}
			assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM items", Integer.class)).isEqualTo(10);
			assertThat(Tracking.row(jdbc, "locked").get("status")).isEqualTo("COMPLETED");
		}
	}

	/**
	 * A query counting the sessions that wait for a lock the locker's transaction holds.
	 * MariaDB's lock-wait tables need the PROCESS privilege; without it the test's user sees
	 * its own sessions in the process list, where a statement on the locked rows still
	 * running is one waiting for the locker.
	 */
	private static String lockWaitersSql(Connection locker, TestDatabase database) throws SQLException {
		if (!database.name().equals("PostgreSQL")) {
			return "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = DATABASE()"
					+ " AND INFO LIKE 'UPDATE items SET migrated%'";
		}
		try (Statement statement = locker.createStatement();
				ResultSet pid = statement.executeQuery("SELECT pg_backend_pid()")) {
			pid.next();
			return "SELECT COUNT(*) FROM pg_stat_activity WHERE " + pid.getInt(1) + " = ANY(pg_blocking_pids(pid))";
		}
	}

	private static void rollback(Connection connection) {
		try {
			connection.rollback();
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static void awaitCondition(String what, BooleanSupplier condition) {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("Timed out after 30s waiting for " + what);
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void batchTransactionCarriesTheLockAndIdleTimeouts(TestDatabase database) {
		assertBatchSettings(database, "2s/30s", "2/30", "backfill.lock-timeout=2s");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void batchTransactionCarriesTheStatementLockAndIdleTimeouts(TestDatabase database) {
		assertBatchSettings(database, "5s/2s/30s", "5.000000/2/30", "backfill.statement-timeout=5s",
				"backfill.lock-timeout=2s");
	}

	private static void assertBatchSettings(TestDatabase database, String postgres, String mariaDb,
			String... properties) {
		boolean withStatementTimeout = properties.length > 1;
		String query = database.name().equals("PostgreSQL")
				? "SELECT " + (withStatementTimeout ? "current_setting('statement_timeout') || '/' || " : "")
						+ "current_setting('lock_timeout') || '/' || "
						+ "current_setting('idle_in_transaction_session_timeout')"
				: "SELECT CONCAT(" + (withStatementTimeout ? "@@SESSION.max_statement_time, '/', " : "")
						+ "@@SESSION.innodb_lock_wait_timeout, '/', @@SESSION.idle_transaction_timeout)";
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 5);
			java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items")
				.onBatch((rows) -> seen.add(TestApps.applicationJdbc().queryForObject(query, String.class)));
			String[] all = java.util.stream.Stream
				.concat(java.util.stream.Stream.of("backfill.lease-duration=30s", "backfill.batch-size=2"),
						java.util.stream.Stream.of(properties))
				.toArray(String[]::new);
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("limited", migration), all)) {
				assertThat(seen).hasSize(3).containsOnly(database.name().equals("PostgreSQL") ? postgres : mariaDb);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void pooledConnectionGetsItsSettingsBackAfterABatch(TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			String settingsQuery = switch (database.name()) {
				case "PostgreSQL" -> "SELECT current_setting('statement_timeout') || '/' || current_setting('lock_timeout')"
						+ " || '/' || current_setting('idle_in_transaction_session_timeout')";
				case "MariaDB" -> "SELECT CONCAT(@@SESSION.max_statement_time, '/', @@SESSION.innodb_lock_wait_timeout,"
						+ " '/', @@SESSION.idle_transaction_timeout)";
				default -> "SELECT CONCAT(SETTING_VALUE, '/', LOCK_TIMEOUT()) FROM INFORMATION_SCHEMA.SETTINGS"
						+ " WHERE SETTING_NAME = 'QUERY_TIMEOUT'";
			};
			// On H2 the connection starts from values of its own, neither H2's default nor the
			// batch's, so that resetting either setting to a default shows.
			TestSchema application = database.name().equals("H2")
					? schema.withUrl(schema.url() + ";QUERY_TIMEOUT=12345;LOCK_TIMEOUT=4321") : schema;
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			String before;
			try (ConfigurableApplicationContext app = TestApps.run(application, Map.of("settings", migration),
					"spring.datasource.hikari.maximum-pool-size=1", "backfill.migrations.settings.enabled=false")) {
				before = new JdbcTemplate(app.getBean(DataSource.class)).queryForObject(settingsQuery, String.class);
			}
			if (database.name().equals("H2")) {
				assertThat(before).isEqualTo("12345/4321");
			}
			try (ConfigurableApplicationContext app = TestApps.run(application, Map.of("settings", migration),
					"spring.datasource.hikari.maximum-pool-size=1", "backfill.batch-size=3",
					"backfill.statement-timeout=5s", "backfill.lock-timeout=2s", "backfill.lease-duration=30s")) {
				assertThat(migration.batches()).hasSize(4);
				// The pool's only connection ran every batch; its settings are as before.
				String after = new JdbcTemplate(app.getBean(DataSource.class)).queryForObject(settingsQuery,
						String.class);
				assertThat(after).isEqualTo(before);
			}
		}
	}

}
