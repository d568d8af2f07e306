package dev.backfill.resilience;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.backfill.DataMigrationConfig;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch commits but its caller hears a transient failure, as when the connection drops
 * between the server's commit and its reply.
 */
class LostCommitAcknowledgementTests {

	private static final int ROWS = 500;

	private static final int BATCH_SIZE = 100;

	/** The batch whose commit acknowledgement is lost. */
	private static final int LOST = 3;

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	void transientFailureAfterTheCommitIsResolvedFromTheCheckpointInTheDatabaseNotByRunningTheBatchAgain(
			TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, ROWS);
			AtomicInteger migrateCalls = new AtomicInteger();
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items", DataMigrationConfig.DEFAULTS)
				.onBatch((rows) -> {
					TestApps.applicationJdbc()
						.batchUpdate("UPDATE items SET migrated = migrated + 1 WHERE id = ?",
								rows.stream().map((row) -> new Object[] { row.get("id") }).toList());
					if (migrateCalls.incrementAndGet() == LOST) {
						TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
							@Override
							public void afterCommit() {
								throw new TransientDataAccessResourceException("commit acknowledgement lost");
							}
						});
					}
				});
			double retries;
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("lostAck", migration),
					"backfill.batch-size=" + BATCH_SIZE, "backfill.throttle=0", "backfill.retry.initial-backoff=10ms")) {
				MeterRegistry registry = app.getBean(MeterRegistry.class);
				retries = registry.get(MicrometerMigrationListener.RETRIES)
					.tag("migration", "lostAck")
					.tag("exception", "TransientDataAccessResourceException")
					.counter()
					.count();
			}
			assertThat(retries).as("retries counted").isEqualTo(1);
			// Batch 3 committed once and was not passed to migrate again; the retry went on with batch 4.
			Map<String, Integer> calls = migration.callsPerKey();
			assertThat(calls).hasSize(ROWS);
			assertThat(calls.entrySet()).filteredOn((call) -> call.getValue() != 1)
				.as("keys passed to migrate other than once")
				.isEmpty();
			List<List<String>> batches = migration.batches();
			assertThat(batches).hasSize(ROWS / BATCH_SIZE);
			assertThat(batches.get(LOST)).as("the batch migrated after the lost acknowledgement").startsWith("301");
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM items WHERE migrated = 1", Integer.class))
				.isEqualTo(ROWS);
			Map<String, Object> tracking = Tracking.row(jdbc, "lostAck");
			assertThat(tracking.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) tracking.get("batches")).longValue()).isEqualTo(ROWS / BATCH_SIZE);
			assertThat(((Number) tracking.get("rows_processed")).longValue()).isEqualTo(ROWS);
			System.out.printf("RESILIENCE [%s] lost commit acknowledgement: a transient failure after batch %d's "
					+ "commit, %.0f retry counted, resumed from the checkpoint re-read in the database at key %d; "
					+ "%d rows each passed to migrate and written exactly once, %d batches%n", database.name(), LOST,
					retries, LOST * BATCH_SIZE, ROWS, batches.size());
		}
	}

}
