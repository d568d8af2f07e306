package dev.backfill.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch whose transaction sits idle longer than the lease: the database's
 * idle-transaction guard (equal to {@code backfill.lease-duration}) ends it, and every
 * retry would end the same way.
 */
class LeaseOutlastedTests {

	private static final String MIGRATION = "slow";

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void batchIdleLongerThanTheLeaseFailsAtOnceNamingTheCauseTheBatchAndTheLeaseDuration(TestDatabase database)
			throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			// Sleeps in Java without SQL, so the batch's session is idle in transaction.
			Migration slow = new Migration((rows) -> pause(Duration.ofSeconds(3)));
			try (ConfigurableApplicationContext app = run(schema, slow, "backfill.lease-duration=1s")) {
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				assertThat(retries(app.getBean(MeterRegistry.class))).as("batch retries").isZero();
			}
			assertThat(slow.calls).as("calls to migrate").hasValue(1);
			Map<String, Object> row = Tracking.row(jdbc, MIGRATION);
			assertThat(row.get("status")).isEqualTo("FAILED");
			String error = (String) row.get("last_error");
			assertThat(error).startsWith("Migration 'slow' failed in batch 1 (keys 1 to 10) after 1 attempt(s): "
					+ "the database ended the batch's transaction after it sat idle longer than "
					+ "backfill.lease-duration (1s)");
			if (database.name().equals("PostgreSQL")) {
				assertThat(error).contains("PostgreSQL: FATAL: terminating connection due to idle-in-transaction "
						+ "timeout, SQLSTATE 25P03");
			}
			else {
				assertThat(error).contains("MariaDB: ");
			}
			assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM items", Integer.class)).isZero();
			System.out.printf("ERRORS [%s] batch idle past its 1 s lease: 1 attempt, 0 retries, last_error: %s%n",
					database.name(), error);
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
				if (postgres) {
					jdbc.queryForObject("SELECT pg_terminate_backend(?)", Boolean.class,
							batch.queryForObject("SELECT pg_backend_pid()", Integer.class));
				}
				else {
					jdbc.execute("KILL CONNECTION " + batch.queryForObject("SELECT CONNECTION_ID()", Long.class));
				}
			}).times(1);
			// A lease the attempt cannot outlast even on a slow machine, as an idle guard.
			try (ConfigurableApplicationContext app = run(schema, cutOff, "backfill.lease-duration=1m")) {
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				assertThat(retries(app.getBean(MeterRegistry.class))).as("batch retries").isEqualTo(1);
			}
			assertThat(cutOff.calls).as("calls to migrate").hasValue(2);
			assertThat(Tracking.row(jdbc, MIGRATION).get("status")).isEqualTo("COMPLETED");
			// The killed attempt's write rolled back with its transaction.
			assertThat(jdbc.queryForList("SELECT DISTINCT migrated FROM items", Integer.class)).containsExactly(1);
		}
	}

	private static ConfigurableApplicationContext run(TestSchema schema, Migration migration, String lease) {
		return TestApps.run(schema, Map.of(MIGRATION, migration), "backfill.mode=background", lease,
				"backfill.batch-size=10", "backfill.retry.max-attempts=3", "backfill.retry.initial-backoff=10ms",
				"logging.level.com.zaxxer.hikari=OFF",
				"logging.level.org.springframework.transaction.support.TransactionTemplate=OFF");
	}

	private static double retries(MeterRegistry registry) {
		return registry.find(MicrometerMigrationListener.RETRIES).counters().stream().mapToDouble(Counter::count).sum();
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
