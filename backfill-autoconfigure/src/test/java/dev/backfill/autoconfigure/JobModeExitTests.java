package dev.backfill.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.backfill.DataMigrationConfig;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationFailedException;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.ExitCodeEvent;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Job mode in the test's own JVM, with a {@link JobExit} that records the exit status
 * instead of ending the JVM (the real exit is {@code dev.backfill.resilience.JobModeTests}).
 */
class JobModeExitTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, BackfillAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:job-${random.uuid};DB_CLOSE_DELAY=-1");

	private final List<Integer> exits = new CopyOnWriteArrayList<>();

	@Test
	void onlyJobModeEndsTheApplication() {
		this.contextRunner
			.run((context) -> assertThat(context).doesNotHaveBean(JobExit.class).doesNotHaveBean(BackfillJobExit.class));
		this.contextRunner.withPropertyValues("backfill.mode=background")
			.run((context) -> assertThat(context).doesNotHaveBean(JobExit.class).doesNotHaveBean(BackfillJobExit.class));
		this.contextRunner.withPropertyValues("backfill.mode=job")
			.run((context) -> assertThat(context).hasSingleBean(JobExit.class).hasSingleBean(BackfillJobExit.class));
	}

	@Test
	void aJobExitBeanOfTheApplicationReplacesOurs() {
		JobExit custom = this.exits::add;
		this.contextRunner.withPropertyValues("backfill.mode=job")
			.withBean("customExit", JobExit.class, () -> custom)
			.run((context) -> assertThat(context.getBean(JobExit.class)).isSameAs(custom));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void onceEveryMigrationHasCompletedTheContextIsClosedAndTheJvmToldToExitWithZero(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 30);
			ConfigurableApplicationContext app = job(schema, migration()).run();

			assertThat(this.exits).containsExactly(JobExit.COMPLETED);
			assertThat(app.isActive()).as("context still active").isFalse();
			assertThat(Tracking.row(schema.jdbc(), "items").get("status")).isEqualTo("COMPLETED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void anExitCodeGeneratorOfTheApplicationDecidesTheStatus(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 30);
			job(schema, migration())
				.initializers((context) -> context.getBeanFactory()
					.registerSingleton("reportsFailure", (ExitCodeGenerator) () -> 3))
				.run();

			assertThat(this.exits).containsExactly(3);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aFailedMigrationFailsStartupWithExitCodeOneAndNoExitOfItsOwn(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 30);
			List<Integer> exitCodeEvents = new CopyOnWriteArrayList<>();
			SpringApplicationBuilder job = job(schema, migration().failAtBatch(2))
				.listeners((ApplicationListener<ExitCodeEvent>) (event) -> exitCodeEvents.add(event.getExitCode()));

			assertThatExceptionOfType(MigrationFailedException.class).isThrownBy(job::run)
				.withMessageContaining("Migration 'items' failed in batch 2 (keys 11 to 20)")
				.withMessageContaining("boom in batch 2");
			assertThat(exitCodeEvents).as("exit codes Spring Boot ends the JVM with").containsExactly(JobExit.FAILED);
			assertThat(this.exits).isEmpty();
			Map<String, Object> tracking = Tracking.row(schema.jdbc(), "items");
			assertThat(tracking.get("status")).isEqualTo("FAILED");
			assertThat((String) tracking.get("last_error")).contains("boom in batch 2");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aPausedMigrationIsPassedOverAndTheJobExitsWithTwoOnceTheOthersHaveCompleted(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 30);
			RecordingMigration paused = migration();
			ConfigurableApplicationContext app = TestApps
				.builder(schema, Map.of("aPaused", paused, "items", migration()), "backfill.mode=job")
				.initializers((context) -> {
					context.getBeanFactory().registerSingleton("recordingExit", (JobExit) this.exits::add);
					MigrationStore store = MigrationDatabase.of(schema.dataSource(), "backfill_migrations").store();
					store.createTableIfMissing();
					store.findOrCreate("aPaused");
					store.pause("aPaused", "operator");
				})
				.run();

			assertThat(this.exits).containsExactly(JobExit.PAUSED);
			assertThat(app.isActive()).as("context still active").isFalse();
			assertThat(paused.batches()).isEmpty();
			assertThat(Tracking.row(schema.jdbc(), "aPaused").get("status")).isEqualTo("PAUSED");
			assertThat(Tracking.row(schema.jdbc(), "items").get("status")).isEqualTo("COMPLETED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void blockingModeNeitherExitsNorClosesTheContext(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 30);
			try (ConfigurableApplicationContext app = TestApps
				.builder(schema, Map.of("items", migration()), "backfill.mode=blocking")
				.initializers((context) -> context.getBeanFactory().registerSingleton("recordingExit",
						(JobExit) this.exits::add))
				.run()) {
				assertThat(app.isActive()).isTrue();
				assertThat(this.exits).isEmpty();
				assertThat(Tracking.row(schema.jdbc(), "items").get("status")).isEqualTo("COMPLETED");
			}
		}
	}

	private SpringApplicationBuilder job(TestSchema schema, RecordingMigration migration) {
		return TestApps.builder(schema, Map.of("items", migration), "backfill.mode=job")
			.initializers((context) -> context.getBeanFactory().registerSingleton("recordingExit",
					(JobExit) this.exits::add));
	}

	private static RecordingMigration migration() {
		return new RecordingMigration("SELECT id FROM items",
				DataMigrationConfig.builder().batchSize(10).throttle(Duration.ZERO).build());
	}

}
