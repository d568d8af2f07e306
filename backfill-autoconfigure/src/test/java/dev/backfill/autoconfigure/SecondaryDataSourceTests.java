package dev.backfill.autoconfigure;

import java.util.Map;

import javax.sql.DataSource;

import dev.backfill.DataMigrationConfig;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
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

/** A migration of another DataSource keeps its tracking row in that DataSource's database. */
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
