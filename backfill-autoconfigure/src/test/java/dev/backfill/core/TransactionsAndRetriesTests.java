package dev.backfill.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.backfill.DataMigrationConfig;
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
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** One transaction per batch, and retries of transient failures. */
class TransactionsAndRetriesTests {

	private static final String INCREMENT = "UPDATE items SET migrated = migrated + 1 WHERE id = ?";

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void writesOfAFailedBatchRollBackWithItsCheckpointAndCommitOnceOnResume(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			FailingOnce failure = new FailingOnce(3, new IllegalStateException("disk quota"));
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> run(schema, incrementing(schema, failure), "backfill.batch-size=100").close());
			// Batch 3 wrote its rows before it failed: those writes rolled back with it.
			assertThat(migratedCounts(jdbc)).containsExactly(Map.entry(0, 300), Map.entry(1, 200));
			assertThat(Tracking.row(jdbc, "increment").get("last_key")).isEqualTo("200");

			run(schema, incrementing(schema, new FailingOnce(0, null)), "backfill.batch-size=100").close();
			assertThat(migratedCounts(jdbc)).containsExactly(Map.entry(1, 500));
			assertThat(Tracking.row(jdbc, "increment").get("status")).isEqualTo("COMPLETED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void nonTransactionalMigrationKeepsWritesOfAFailedBatch(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			FailingOnce failure = new FailingOnce(3, new IllegalStateException("remote call failed"));
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> run(schema, incrementing(schema, failure), "backfill.batch-size=100",
						"backfill.migrations.increment.transactional=false")
					.close());
			// Without the batch transaction, batch 3's writes stay: it is retried on resume.
			assertThat(migratedCounts(jdbc)).containsExactly(Map.entry(0, 200), Map.entry(1, 300));
			assertThat(Tracking.row(jdbc, "increment").get("last_key")).isEqualTo("200");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void transientFailuresAreRetriedAndCountedWhileEveryRowIsWrittenOnce(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			FailingOnce failure = new FailingOnce(2, new TransientDataAccessResourceException("connection reset"))
				.times(2);
			try (ConfigurableApplicationContext app = run(schema, incrementing(schema, failure),
					"backfill.batch-size=100", "backfill.retry.initial-backoff=10ms")) {
				MeterRegistry registry = app.getBean(MeterRegistry.class);
				assertThat(registry.get(MicrometerMigrationListener.RETRIES).tag("migration", "increment").counter()
					.count()).isEqualTo(2);
				assertThat(registry.get(MicrometerMigrationListener.BATCH).tag("outcome", "failure").timer().count())
					.isEqualTo(2);
			}
			assertThat(migratedCounts(jdbc)).containsExactly(Map.entry(1, 500));
			Map<String, Object> row = Tracking.row(jdbc, "increment");
			assertThat(row.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) row.get("batches")).longValue()).isEqualTo(5);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void retriesStopAtMaxAttemptsAndFailTheMigration(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 300);
			FailingOnce failure = new FailingOnce(2, new TransientDataAccessResourceException("connection reset"))
				.times(100);
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> run(schema, incrementing(schema, failure), "backfill.batch-size=100",
						"backfill.retry.max-attempts=3", "backfill.retry.initial-backoff=5ms")
					.close())
				.withMessageContaining("Migration 'increment' failed in batch 2 (keys 101 to 200) after 3 attempt(s)")
				.withMessageContaining("connection reset");
			assertThat(failure.failures.get()).isEqualTo(3);
			assertThat(Tracking.row(jdbc, "increment").get("status")).isEqualTo("FAILED");
			assertThat(migratedCounts(jdbc)).containsExactly(Map.entry(0, 200), Map.entry(1, 100));
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void nonTransientFailureFailsAtOnceWithoutRetry(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			FailingOnce failure = new FailingOnce(1, new IllegalArgumentException("bad row")).times(100);
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> run(schema, incrementing(schema, failure), "backfill.batch-size=100").close())
				.withMessageContaining("after 1 attempt(s): IllegalArgumentException: bad row");
			assertThat(failure.failures.get()).isOne();
		}
	}

	static ConfigurableApplicationContext run(TestSchema schema, RecordingMigration migration, String... properties) {
		String[] all = java.util.stream.Stream
			.concat(java.util.stream.Stream.of("backfill.throttle=0"), java.util.stream.Stream.of(properties))
			.toArray(String[]::new);
		return TestApps.run(schema, Map.of("increment", migration), all);
	}

	/** A migration that increments {@code migrated} of its rows through a JdbcTemplate, then may fail. */
	static RecordingMigration incrementing(TestSchema schema, FailingOnce failure) {
		return new RecordingMigration("SELECT id FROM items", DataMigrationConfig.DEFAULTS).onBatch((rows) -> {
			TestApps.applicationJdbc().batchUpdate(INCREMENT, rows.stream().map((row) -> new Object[] { row.get("id") }).toList());
			failure.maybeFail();
		});
	}

	static Map<Integer, Integer> migratedCounts(JdbcTemplate jdbc) {
		Map<Integer, Integer> counts = new java.util.TreeMap<>();
		jdbc.query("SELECT migrated, COUNT(*) FROM items GROUP BY migrated", (RowCallbackHandler) (rs) -> {
			counts.put(rs.getInt(1), rs.getInt(2));
		});
		return counts;
	}

	/** Throws on the n-th batch (1-based), a given number of times. */
	static final class FailingOnce {

		private final int batch;

		private final RuntimeException failure;

		private final AtomicInteger calls = new AtomicInteger();

		private final AtomicInteger failures = new AtomicInteger();

		private int times = 1;

		FailingOnce(int batch, RuntimeException failure) {
			this.batch = batch;
			this.failure = failure;
		}

		FailingOnce times(int times) {
			this.times = times;
			return this;
		}

		void maybeFail() {
			int call = this.calls.incrementAndGet();
			if (call >= this.batch && this.batch > 0 && this.failures.get() < this.times) {
				this.failures.incrementAndGet();
				throw this.failure;
			}
		}

	}

}
