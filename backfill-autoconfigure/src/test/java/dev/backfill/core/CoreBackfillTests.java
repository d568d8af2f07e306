package dev.backfill.core;

import java.util.Map;

import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The core loop on every supported database. */
class CoreBackfillTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void migratesEveryRowExactlyOnceInBatchesAndRunsNothingOnSecondStart(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10_000);
			RecordingMigration first = new RecordingMigration("SELECT id, val FROM items");
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("everyItem", first),
					"backfill.batch-size=100", "backfill.throttle=0")) {
				assertThat(first.callsPerKey()).hasSize(10_000).allSatisfy((key, calls) -> assertThat(calls).isOne());
				assertThat(first.batches()).hasSize(100).allSatisfy((batch) -> assertThat(batch).hasSize(100));
			}
			Map<String, Object> row = Tracking.row(jdbc, "everyItem");
			assertThat(row.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(10_000);
			assertThat(((Number) row.get("batches")).longValue()).isEqualTo(100);
			assertThat(row.get("last_key")).isEqualTo("10000");
			assertThat(row.get("completed_at")).isNotNull();
			assertThat(row.get("lease_owner")).isNull();

			RecordingMigration second = new RecordingMigration("SELECT id, val FROM items");
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("everyItem", second),
					"backfill.batch-size=100", "backfill.throttle=0")) {
				assertThat(second.batches()).isEmpty();
			}
			assertThat(Tracking.row(jdbc, "everyItem")).isEqualTo(row);
		}
	}

}
