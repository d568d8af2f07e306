package dev.backfill.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.backfill.DataMigrationConfig;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code backfill} health indicator in a real application, reading the tracking rows
 * of three migrations: one completed, one failed in its third batch, one never reached.
 */
class BackfillHealthIndicatorTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aFailedMigrationLeavesHealthUpByDefaultWithEachMigrationsRowInTheDetails(TestDatabase database)
			throws InterruptedException {
		try (TestSchema schema = database.createSchema();
				ConfigurableApplicationContext app = runUntilTheSecondMigrationFails(schema)) {
			Health health = backfillHealth(app);

			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsOnlyKeys("first", "second", "third");
			Map<String, Object> first = details(health, "first");
			assertThat(first).containsEntry("status", "COMPLETED")
				.containsEntry("rowsProcessed", 50L)
				.containsEntry("batches", 5L)
				.containsEntry("lastKey", "50")
				.containsKeys("startedAt", "updatedAt", "completedAt")
				.doesNotContainKeys("lastError", "leaseOwner", "leaseExpiresAt");
			Map<String, Object> second = details(health, "second");
			assertThat(second).containsEntry("status", "FAILED")
				.containsEntry("rowsProcessed", 20L)
				.containsEntry("batches", 2L)
				.containsEntry("lastKey", "20")
				.doesNotContainKeys("completedAt", "leaseOwner");
			assertThat((String) second.get("lastError")).contains("second").contains("boom in batch 3");
			assertThat(details(health, "third")).containsOnly(Map.entry("status", "PENDING"));
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aFailedMigrationMakesHealthDownWhenFailedIsDown(TestDatabase database) throws InterruptedException {
		try (TestSchema schema = database.createSchema();
				ConfigurableApplicationContext app = runUntilTheSecondMigrationFails(schema,
						"backfill.health.failed-is-down=true")) {
			Health health = backfillHealth(app);

			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(details(health, "second")).containsEntry("status", "FAILED");
			assertThat(details(health, "first")).containsEntry("status", "COMPLETED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void completedMigrationsAreUpWhenFailedIsDown(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 30);
			Map<String, RecordingMigration> migrations = new LinkedHashMap<>();
			migrations.put("first", migration());
			migrations.put("disabled", migration());
			try (ConfigurableApplicationContext app = TestApps.run(schema, migrations,
					"backfill.health.failed-is-down=true", "backfill.migrations.disabled.enabled=false")) {
				Health health = backfillHealth(app);

				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat(details(health, "first")).containsEntry("status", "COMPLETED")
					.containsEntry("rowsProcessed", 30L)
					.containsEntry("lastKey", "30");
				assertThat(details(health, "disabled")).containsEntry("status", "PENDING")
					.containsEntry("enabled", false);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aTrackingTableThatCannotBeReadMakesHealthUnknownWithTheErrorNotDown(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 30);
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("first", migration()),
					"backfill.health.failed-is-down=true")) {
				schema.jdbc().execute("DROP TABLE backfill_migrations");
				Health health = backfillHealth(app);

				assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
				assertThat((String) details(health, "first").get("error"))
					.startsWith("Cannot read the tracking row from table 'backfill_migrations': ");
			}
		}
	}

	private static ConfigurableApplicationContext runUntilTheSecondMigrationFails(TestSchema schema,
			String... properties) throws InterruptedException {
		TestTables.createItems(schema.jdbc(), 50);
		Map<String, RecordingMigration> migrations = new LinkedHashMap<>();
		migrations.put("first", migration());
		migrations.put("second", migration().failAtBatch(3));
		migrations.put("third", migration());
		String[] all = new String[properties.length + 1];
		all[0] = "backfill.mode=background";
		System.arraycopy(properties, 0, all, 1, properties.length);
		ConfigurableApplicationContext app = TestApps.run(schema, migrations, all);
		app.getBean(BackfillApplicationRunner.class).awaitCompletion();
		return app;
	}

	private static RecordingMigration migration() {
		return new RecordingMigration("SELECT id FROM items",
				DataMigrationConfig.builder().batchSize(10).throttle(java.time.Duration.ZERO).build());
	}

	/** The indicator the health endpoint reports as {@code backfill}. */
	private static Health backfillHealth(ConfigurableApplicationContext app) {
		return ((HealthIndicator) app.getBean(HealthContributorRegistry.class).getContributor("backfill")).health();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> details(Health health, String migration) {
		return (Map<String, Object>) health.getDetails().get(migration);
	}

}
