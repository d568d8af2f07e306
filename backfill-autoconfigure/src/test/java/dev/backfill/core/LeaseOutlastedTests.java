package dev.backfill.core;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.backfill.DataMigration;
import dev.backfill.autoconfigure.BackfillApplicationRunner;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch whose transaction sits idle longer than the lease: the database's
 * idle-transaction guard (equal to {@code backfill.lease-duration}) ends it, and every
 * retry would end the same way; and batches longer than the lease that lose their
 * connection for other reasons, which are retried.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaseOutlastedTests {

	private static final String MIGRATION = "slow";

	/**
	 * The lease of the busy batches, which run a little longer: short, yet far longer than
	 * the pause between two of their statements, so that they never sit idle that long.
	 */
	private static final Duration BUSY_LEASE = Duration.ofSeconds(2);

	/**
	 * PostgreSQL says why it ended the transaction (25P03): failed at once. MariaDB just
	 * closes the connection, as a failover would: retried once, failed when the retry
	 * loses its connection the same way.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void batchIdleLongerThanTheLeaseFailsNamingTheCauseTheBatchAndTheLeaseDurationRetriedOnlyWithoutTheServersWord(
			TestDatabase database) throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			boolean postgres = database.name().equals("PostgreSQL");
			int attempts = postgres ? 1 : 2;
			// Sleeps in Java without SQL, so the batch's session is idle in transaction.
			Migration slow = new Migration((rows) -> pause(Duration.ofSeconds(3)));
			try (ConfigurableApplicationContext app = run(schema, slow, "backfill.lease-duration=1s")) {
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				assertThat(retries(app.getBean(MeterRegistry.class))).as("batch retries").isEqualTo(attempts - 1);
			}
			assertThat(slow.calls).as("calls to migrate").hasValue(attempts);
			Map<String, Object> row = Tracking.row(jdbc, MIGRATION);
			assertThat(row.get("status")).isEqualTo("FAILED");
			String error = (String) row.get("last_error");
			assertThat(error).startsWith("Migration 'slow' failed in batch 1 (keys 1 to 10) after " + attempts
					+ " attempt(s): the database ended the batch's transaction after it sat idle longer than "
					+ "backfill.lease-duration (1s)");
			if (postgres) {
				assertThat(error).contains("PostgreSQL: FATAL: terminating connection due to idle-in-transaction "
						+ "timeout, SQLSTATE 25P03");
			}
			else {
				assertThat(error).contains("and lost its connection, as the attempt before it did; MariaDB: ");
			}
			assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM items", Integer.class)).isZero();
			System.out.printf("ERRORS [%s] batch idle past its 1 s lease: %d attempt(s), %d retries, last_error: %s%n",
					database.name(), attempts, attempts - 1, error);
		}
	}

	/**
	 * The heartbeat lets a busy batch run longer than the lease; a connection it loses
	 * then (a failover, a network blip, an administrator) is retried, not taken for the
	 * idle-transaction guard.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void lostConnectionOfABusyBatchLongerThanTheLeaseIsRetried(TestDatabase database) throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			boolean postgres = database.name().equals("PostgreSQL");
			Migration cutOff = new Migration((rows) -> {
				JdbcTemplate batch = TestApps.applicationJdbc();
				batch.update("UPDATE items SET migrated = migrated + 1");
				stayBusy(batch, BUSY_LEASE);
				killConnection(jdbc, batch, postgres);
			}).times(1);
			try (ConfigurableApplicationContext app = run(schema, cutOff,
					"backfill.lease-duration=" + BUSY_LEASE.toSeconds() + "s")) {
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				assertThat(retries(app.getBean(MeterRegistry.class))).as("batch retries").isEqualTo(1);
			}
			assertCompletedWithEveryItemMigratedOnce(jdbc, cutOff, 2);
		}
	}

	/**
	 * A batch longer than the lease commits, then its connection is lost before the
	 * acknowledgement arrives: the idle-transaction guard ends no transaction that
	 * committed, so the checkpoint in the database resolves it.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void lostCommitAcknowledgementOfABatchLongerThanTheLeaseCompletesTheMigration(TestDatabase database)
			throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			Migration lostAck = new Migration((rows) -> {
				JdbcTemplate batch = TestApps.applicationJdbc();
				batch.update("UPDATE items SET migrated = migrated + 1");
				stayBusy(batch, BUSY_LEASE);
				loseCommitAcknowledgement();
			}).times(1);
			try (ConfigurableApplicationContext app = run(schema, lostAck,
					"backfill.lease-duration=" + BUSY_LEASE.toSeconds() + "s")) {
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				assertThat(retries(app.getBean(MeterRegistry.class))).as("batch retries").isEqualTo(1);
			}
			// The retry found the migration completed: the batch was not passed to migrate again.
			assertCompletedWithEveryItemMigratedOnce(jdbc, lostAck, 1);
		}
	}

	/**
	 * The same lost acknowledgement after the batch's previous attempt lost its connection
	 * (killed): two lost connections in a row after running longer than the lease, yet the
	 * second attempt committed, so the guard did not end it.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void lostCommitAcknowledgementAfterALostConnectionOfTheSameBatchCompletesTheMigration(TestDatabase database)
			throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			boolean postgres = database.name().equals("PostgreSQL");
			AtomicInteger attempt = new AtomicInteger();
			Migration cutOffThenLostAck = new Migration((rows) -> {
				JdbcTemplate batch = TestApps.applicationJdbc();
				batch.update("UPDATE items SET migrated = migrated + 1");
				stayBusy(batch, BUSY_LEASE);
				if (attempt.incrementAndGet() == 1) {
					killConnection(jdbc, batch, postgres);
				}
				else {
					loseCommitAcknowledgement();
				}
			}).times(2);
			try (ConfigurableApplicationContext app = run(schema, cutOffThenLostAck,
					"backfill.lease-duration=" + BUSY_LEASE.toSeconds() + "s")) {
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				assertThat(retries(app.getBean(MeterRegistry.class))).as("batch retries").isEqualTo(2);
			}
			assertCompletedWithEveryItemMigratedOnce(jdbc, cutOffThenLostAck, 2);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void lostConnectionOfABatchShorterThanTheLeaseIsStillRetried(TestDatabase database)
			throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			boolean postgres = database.name().equals("PostgreSQL");
			// The first call ends its own transaction's connection from a second connection.
			Migration cutOff = new Migration((rows) -> {
				JdbcTemplate batch = TestApps.applicationJdbc();
				batch.update("UPDATE items SET migrated = migrated + 1");
				killConnection(jdbc, batch, postgres);
			}).times(1);
			// A lease the attempt cannot outlast even on a slow machine, as an idle guard.
			try (ConfigurableApplicationContext app = run(schema, cutOff, "backfill.lease-duration=1m")) {
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				assertThat(retries(app.getBean(MeterRegistry.class))).as("batch retries").isEqualTo(1);
			}
			assertCompletedWithEveryItemMigratedOnce(jdbc, cutOff, 2);
		}
	}

	/**
	 * Only two lost connections in a row conclude that the batch outlasted the lease: one,
	 * then another failure, then one more is retried.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void lostConnectionsOfABusyBatchLongerThanTheLeaseNotInARowAreRetried(TestDatabase database)
			throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			boolean postgres = database.name().equals("PostgreSQL");
			AtomicInteger attempt = new AtomicInteger();
			Migration cutOffTwiceApart = new Migration((rows) -> {
				JdbcTemplate batch = TestApps.applicationJdbc();
				batch.update("UPDATE items SET migrated = migrated + 1");
				if (attempt.incrementAndGet() == 2) {
					throw new TransientDataAccessResourceException("a transient failure of another kind");
				}
				stayBusy(batch, BUSY_LEASE);
				killConnection(jdbc, batch, postgres);
			}).times(3);
			try (ConfigurableApplicationContext app = run(schema, cutOffTwiceApart,
					"backfill.lease-duration=" + BUSY_LEASE.toSeconds() + "s", "backfill.retry.max-attempts=4")) {
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				assertThat(retries(app.getBean(MeterRegistry.class))).as("batch retries").isEqualTo(3);
			}
			assertCompletedWithEveryItemMigratedOnce(jdbc, cutOffTwiceApart, 4);
		}
	}

	/** Starts the migration in the background; later properties beat earlier ones. */
	/**
	 * The migration completed after that many calls to {@code migrate}, and every item was
	 * migrated exactly once: the writes of an attempt whose connection was killed rolled back
	 * with its transaction, only committed ones count.
	 */
	private static void assertCompletedWithEveryItemMigratedOnce(JdbcTemplate jdbc, Migration migration, int calls) {
		assertThat(migration.calls).as("calls to migrate").hasValue(calls);
		Map<String, Object> row = Tracking.row(jdbc, MIGRATION);
		assertThat(row.get("status")).isEqualTo("COMPLETED");
		assertThat(row.get("last_error")).isNull();
		assertThat(jdbc.queryForList("SELECT DISTINCT migrated FROM items", Integer.class)).containsExactly(1);
	}

	private static ConfigurableApplicationContext run(TestSchema schema, Migration migration, String... properties) {
		List<String> all = new ArrayList<>(List.of("backfill.mode=background", "backfill.batch-size=10",
				"backfill.retry.max-attempts=3", "backfill.retry.initial-backoff=10ms",
				"logging.level.com.zaxxer.hikari=OFF",
				"logging.level.org.springframework.transaction.support.TransactionTemplate=OFF"));
		all.addAll(List.of(properties));
		return TestApps.run(schema, Map.of(MIGRATION, migration), all.toArray(String[]::new));
	}

	private static double retries(MeterRegistry registry) {
		return registry.find(MicrometerMigrationListener.RETRIES).counters().stream().mapToDouble(Counter::count).sum();
	}

	/**
	 * Runs a statement every 200 ms on the batch's connection until more than
	 * {@code duration} has passed, so that the batch outlasts the lease without sitting idle.
	 */
	private static void stayBusy(JdbcTemplate batch, Duration duration) {
		long end = System.nanoTime() + duration.plusMillis(200).toNanos();
		while (System.nanoTime() < end) {
			batch.queryForObject("SELECT 1", Integer.class);
			pause(Duration.ofMillis(200));
		}
	}

	/** Ends the batch's connection from a second connection, as an administrator would. */
	private static void killConnection(JdbcTemplate jdbc, JdbcTemplate batch, boolean postgres) {
		if (postgres) {
			jdbc.queryForObject("SELECT pg_terminate_backend(?)", Boolean.class,
					batch.queryForObject("SELECT pg_backend_pid()", Integer.class));
		}
		else {
			jdbc.execute("KILL CONNECTION " + batch.queryForObject("SELECT CONNECTION_ID()", Long.class));
		}
	}

	/** After the batch's transaction commits, its caller hears that the connection was lost. */
	private static void loseCommitAcknowledgement() {
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCommit() {
				throw new DataAccessResourceFailureException("commit acknowledgement lost",
						new SQLException("Connection reset", "08006"));
			}
		});
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

	/** Runs an action on the first calls to {@code migrate} (all, unless limited), counting calls. */
	private static final class Migration implements DataMigration {

		private final AtomicInteger calls = new AtomicInteger();

		private final Consumer<List<Map<String, Object>>> action;

		private int times = Integer.MAX_VALUE;

		Migration(Consumer<List<Map<String, Object>>> action) {
			this.action = action;
		}

		Migration times(int times) {
			this.times = times;
			return this;
		}

		@Override
		public String baseQuery() {
			return "SELECT id FROM items";
		}

		@Override
		public void migrate(List<Map<String, Object>> rows) {
			if (this.calls.incrementAndGet() <= this.times) {
				this.action.accept(rows);
			}
			else {
				TestApps.applicationJdbc().update("UPDATE items SET migrated = migrated + 1");
			}
		}

	}

}
