package dev.backfill.core;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import dev.backfill.DataMigrationException;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * H2's statement and lock timeouts apply to a batch, not only get set: a statement that
 * runs too long is cancelled (H2 error 57014) and one that waits too long for a row lock
 * gives up (50200), both retried like the servers' timeouts.
 */
class H2BatchTimeoutsTests {

	/** A cross join of 10^8 rows: seconds on H2, far longer than the statement timeout. */
	private static final String SLOW_QUERY = "SELECT COUNT(*) FROM SYSTEM_RANGE(1, 10000) a, SYSTEM_RANGE(1, 10000) b";

	@Test
	void statementTimeoutCancelsASlowBatchStatementAndItIsRetried() {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			AtomicInteger cancelled = new AtomicInteger();
			RecordingMigration slow = new RecordingMigration("SELECT id FROM items").onBatch((rows) -> {
				try {
					TestApps.applicationJdbc().queryForObject(SLOW_QUERY, Long.class);
				}
				catch (DataAccessException ex) {
					if (h2ErrorCode(ex) == 57014) {
						cancelled.incrementAndGet();
					}
					throw ex;
				}
			});
			DataMigrationException failure = catchThrowableOfType(DataMigrationException.class,
					() -> TestApps.run(schema, Map.of("slow", slow), "backfill.statement-timeout=300ms",
							"backfill.retry.max-attempts=2", "backfill.retry.initial-backoff=10ms"));
			assertThat(failure).isNotNull();
			assertThat(failure.getMessage())
				.contains("Migration 'slow' failed in batch 1 (keys 1 to 10) after 2 attempt(s)")
				.contains("Statement was canceled or the session timed out");
			assertThat(cancelled).hasValue(2);
			assertThat(Tracking.row(schema.jdbc(), "slow").get("status")).isEqualTo("FAILED");
		}
	}

	@Test
	void lockTimeoutGivesUpOnALockedRowAndTheRetrySucceedsOnceItIsFree() throws Exception {
		Duration lockTimeout = Duration.ofSeconds(1);
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			// The application's own lock timeout is far shorter: waiting a whole second shows
			// the batch's setting applied.
			TestSchema shortLockTimeout = schema.withUrl(schema.url() + ";LOCK_TIMEOUT=100");
			try (Connection locker = schema.dataSource().getConnection()) {
				locker.setAutoCommit(false);
				locker.createStatement().executeUpdate("UPDATE items SET val = 99 WHERE id = 5");
				AtomicInteger attempts = new AtomicInteger();
				AtomicLong firstWaitNanos = new AtomicLong();
				AtomicReference<Integer> firstErrorCode = new AtomicReference<>();
				RecordingMigration migration = new RecordingMigration("SELECT id FROM items").onBatch((rows) -> {
					if (attempts.incrementAndGet() > 1) {
						// The retry has begun: only now free the row.
						rollback(locker);
					}
					long started = System.nanoTime();
					try {
						TestApps.applicationJdbc().update("UPDATE items SET migrated = 1 WHERE id <= 10");
					}
					catch (DataAccessException ex) {
						firstWaitNanos.set(System.nanoTime() - started);
						firstErrorCode.set(h2ErrorCode(ex));
						throw ex;
					}
				});
				try (ConfigurableApplicationContext app = TestApps.run(shortLockTimeout, Map.of("locked", migration),
						"backfill.lock-timeout=" + lockTimeout.toMillis() + "ms", "backfill.retry.initial-backoff=10ms")) {
					assertThat(app.getBean(MeterRegistry.class).get(MicrometerMigrationListener.RETRIES).counter().count())
						.isEqualTo(1);
				}
				assertThat(attempts).hasValue(2);
				assertThat(firstErrorCode).hasValue(50200);
				// H2 measures the wait in milliseconds: allow for its clock, not for a shorter timeout.
				assertThat(Duration.ofNanos(firstWaitNanos.get())).isGreaterThanOrEqualTo(lockTimeout.minusMillis(50));
			}
			assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM items", Integer.class)).isEqualTo(10);
			assertThat(Tracking.row(jdbc, "locked").get("status")).isEqualTo("COMPLETED");
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

	private static int h2ErrorCode(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof SQLException sql) {
				return sql.getErrorCode();
			}
		}
		return -1;
	}

}
