package dev.backfill.core;

import java.util.Map;

import dev.backfill.DataMigrationException;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Disabling a migration, blocking and background modes, and metrics. The precedence of
 * every setting is in {@link SettingsPrecedenceTests}.
 */
class SettingsAndModesTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void disabledMigrationDoesNotRun(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			RecordingMigration disabled = new RecordingMigration("SELECT id FROM items");
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("skipped", disabled),
					"backfill.migrations.skipped.enabled=false")) {
				assertThat(disabled.batches()).isEmpty();
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void blockingModeFailureFailsStartupNamingTheMigrationAndRecordsIt(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			RecordingMigration failing = new RecordingMigration("SELECT id FROM items").failAtBatch(3);
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("brokenBackfill", failing), "backfill.batch-size=100",
						"backfill.throttle=0"))
				.withMessageContaining("'brokenBackfill'")
				.withMessageContaining("batch 3 (keys 201 to 300)")
				.withMessageContaining("boom in batch 3");
			Map<String, Object> row = Tracking.row(jdbc, "brokenBackfill");
			assertThat(row.get("status")).isEqualTo("FAILED");
			assertThat((String) row.get("last_error")).contains("boom in batch 3");
			assertThat(row.get("last_key")).isEqualTo("200");
			assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(200);
			assertThat(((Number) row.get("batches")).longValue()).isEqualTo(2);
			assertThat(row.get("lease_owner")).isNull();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void backgroundModeFailureIsRecordedWhileTheApplicationKeepsRunning(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			RecordingMigration failing = new RecordingMigration("SELECT id FROM items").failAtBatch(2);
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("brokenBackfill", failing),
					"backfill.batch-size=100", "backfill.throttle=0", "backfill.mode=background")) {
				KeysAndQueriesTests.awaitStatus(jdbc, "brokenBackfill", "FAILED");
				assertThat(app.isRunning()).isTrue();
				assertThat(app.isActive()).isTrue();
				assertThat((String) Tracking.row(jdbc, "brokenBackfill").get("last_error")).contains("boom in batch 2");
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void publishesMigratedRowsAndBatchTimesAsMetrics(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 1_000);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items").failAtBatch(-1);
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("measured", migration),
					"backfill.batch-size=100", "backfill.throttle=0")) {
				MeterRegistry registry = app.getBean(MeterRegistry.class);
				assertThat(registry.get(MicrometerMigrationListener.ROWS).tag("migration", "measured").counter().count())
					.isEqualTo(1_000);
				Timer success = registry.get(MicrometerMigrationListener.BATCH)
					.tags("migration", "measured", "outcome", "success")
					.timer();
				// Ten full batches; the tenth finds no row after it and completes, with no
				// empty batch to find that nothing is left.
				assertThat(success.count()).isEqualTo(10);
				assertThat(registry.get(MicrometerMigrationListener.ROWS).counter().getId().getBaseUnit())
					.isEqualTo("rows");
			}
			// Started again with the migration completed: its meters exist, at zero.
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("measured", migration))) {
				MeterRegistry registry = app.getBean(MeterRegistry.class);
				assertThat(registry.get(MicrometerMigrationListener.ROWS).tag("migration", "measured").counter().count())
					.isZero();
			}
		}
	}

}
