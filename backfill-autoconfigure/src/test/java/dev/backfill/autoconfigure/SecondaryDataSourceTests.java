package dev.backfill.autoconfigure;

import java.util.Map;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import dev.backfill.DataMigrationConfig;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A migration of another DataSource keeps its tracking row in that DataSource's database,
 * whether or not there is a primary DataSource.
 */
class SecondaryDataSourceTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void migrationOnANamedDataSourceIsTrackedInThatDatabase(TestDatabase database) {
		try (TestSchema primary = TestDatabases.h2().createSchema(); TestSchema reporting = database.createSchema()) {
			TestTables.createItems(reporting.jdbc(), 250);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().dataSource("reportingDataSource").batchSize(100).build());
			try (HikariDataSource primaryDataSource = primary.newDataSource(2);
					HikariDataSource reportingDataSource = reporting.newDataSource(2);
					ConfigurableApplicationContext app = TestApps.builder(primary, Map.of("onReporting", migration))
						.sources(TwoDataSources.class)
						.initializers((context) -> {
							context.getBeanFactory().registerSingleton("primaryDataSourceInstance", primaryDataSource);
							context.getBeanFactory()
								.registerSingleton("reportingDataSourceInstance", reportingDataSource);
						})
						.run()) {
				assertThat(migration.callsPerKey()).hasSize(250);
			}
			assertThat(Tracking.row(reporting.jdbc(), "onReporting").get("status")).isEqualTo("COMPLETED");
			// The primary DataSource got the (empty) tracking table at startup, but no row.
			JdbcTemplate primaryJdbc = primary.jdbc();
			assertThat(primaryJdbc.queryForObject("SELECT COUNT(*) FROM backfill_migrations", Integer.class)).isZero();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void migrationNamingItsDataSourceRunsWhenNoneIsPrimary(TestDatabase database) {
		try (TestSchema app = TestDatabases.h2().createSchema(); TestSchema reporting = database.createSchema()) {
			TestTables.createItems(reporting.jdbc(), 250);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().dataSource("reportingDataSource").batchSize(100).build());
			try (HikariDataSource appDataSource = app.newDataSource(2);
					HikariDataSource reportingDataSource = reporting.newDataSource(2);
					ConfigurableApplicationContext context = twoDataSourcesWithoutPrimary(app, appDataSource,
							reportingDataSource, Map.of("onReporting", migration))) {
				assertThat(migration.callsPerKey()).hasSize(250).containsOnlyKeys(keys(250));
			}
			assertThat(Tracking.row(reporting.jdbc(), "onReporting").get("status")).isEqualTo("COMPLETED");
		}
	}

	@Test
	void migrationNamingNoDataSourceFailsStartupNamingItAndTheCandidatesWhenNoneIsPrimary() {
		try (TestSchema app = TestDatabases.h2().createSchema(); TestSchema reporting = TestDatabases.h2().createSchema()) {
			TestTables.createItems(app.jdbc(), 5);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			try (HikariDataSource appDataSource = app.newDataSource(2);
					HikariDataSource reportingDataSource = reporting.newDataSource(2)) {
				assertThatException()
					.isThrownBy(() -> twoDataSourcesWithoutPrimary(app, appDataSource, reportingDataSource,
							Map.of("unplaced", migration)))
					.withStackTraceContaining("Migration 'unplaced' names no DataSource and there is no primary one "
							+ "among [appDataSource, reportingDataSource]: mark one @Primary or set "
							+ "DataMigrationConfig.builder().dataSource(\"...\")");
			}
			assertThat(migration.batches()).isEmpty();
		}
	}

	@Test
	void neverInitializingCreatesNoTrackingTableInANamedDataSource() {
		try (TestSchema primary = TestDatabases.h2().createSchema(); TestSchema reporting = TestDatabases.h2().createSchema()) {
			TestTables.createItems(reporting.jdbc(), 5);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().dataSource("reportingDataSource").build());
			try (HikariDataSource primaryDataSource = primary.newDataSource(2);
					HikariDataSource reportingDataSource = reporting.newDataSource(2)) {
				assertThatException().isThrownBy(() -> TestApps
					.builder(primary, Map.of("onReporting", migration), "backfill.initialize-schema=never")
					.sources(TwoDataSources.class)
					.initializers((context) -> {
						context.getBeanFactory().registerSingleton("primaryDataSourceInstance", primaryDataSource);
						context.getBeanFactory().registerSingleton("reportingDataSourceInstance", reportingDataSource);
					})
					.run()).withStackTraceContaining("Cannot read the backfill tracking table 'backfill_migrations'");
			}
			assertThat(migration.batches()).isEmpty();
			assertThat(reporting.jdbc()
				.queryForObject("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'BACKFILL_MIGRATIONS'",
						Integer.class))
				.isZero();
		}
	}

	private static ConfigurableApplicationContext twoDataSourcesWithoutPrimary(TestSchema app,
			DataSource appDataSource, DataSource reportingDataSource, Map<String, RecordingMigration> migrations) {
		return TestApps.builder(app, migrations).initializers((context) -> {
			context.getBeanFactory().registerSingleton("appDataSource", appDataSource);
			context.getBeanFactory().registerSingleton("reportingDataSource", reportingDataSource);
		}).run();
	}

	private static String[] keys(int count) {
		return IntStream.rangeClosed(1, count).mapToObj(Integer::toString).toArray(String[]::new);
	}

	/** The application's primary DataSource and a second one, as an application declares them. */
	@Configuration(proxyBeanMethods = false)
	static class TwoDataSources {

		@Bean
		@Primary
		DataSource primaryDataSource(@Qualifier("primaryDataSourceInstance") DataSource instance) {
			return instance;
		}

		@Bean
		DataSource reportingDataSource(@Qualifier("reportingDataSourceInstance") DataSource instance) {
			return instance;
		}

	}

}
