package dev.backfill.autoconfigure;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayMigrationInitializer;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The Spring Boot conventions the auto-configuration follows on its own. */
class BootConventionsTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, BackfillAutoConfiguration.class))
		// A database of each test's own (the context runner does not resolve ${random.*}).
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:conventions-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

	@Test
	void schemaInitializerExistsOnlyWhenItWillInitialize() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(BackfillSchemaInitializer.class));
		this.contextRunner.withPropertyValues("backfill.initialize-schema=always")
			.run((context) -> assertThat(context).hasSingleBean(BackfillSchemaInitializer.class));
		this.contextRunner.withPropertyValues("backfill.initialize-schema=embedded")
			.run((context) -> assertThat(context).hasSingleBean(BackfillSchemaInitializer.class));
		this.contextRunner.withPropertyValues("backfill.initialize-schema=never")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(BackfillSchemaInitializer.class)
				.hasSingleBean(BackfillRunner.class)
				.hasSingleBean(BackfillApplicationRunner.class));
	}

	@Test
	void trackingTableIsCreatedAfterFlywayWhenNoOtherAutoConfigurationOrdersDatabaseInitialization() {
		// Only DataSourceAutoConfiguration, backfill's, and a Flyway initializer defined after
		// backfill's: without the ordering, backfill's initializer would create the table first
		// and Flyway's script, which creates it, would fail.
		this.contextRunner.withConfiguration(AutoConfigurations.of(FlywayAfterBackfill.class)).run((context) -> {
			assertThat(context).hasNotFailed();
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM INFORMATION_SCHEMA.COLUMNS "
					+ "WHERE TABLE_NAME = 'BACKFILL_MIGRATIONS' AND COLUMN_NAME = 'TEAM'", Integer.class))
				.isOne();
		});
	}

	@Test
	void applicationRunnerRunsAtOrderZeroAmongTheApplicationsRunners() {
		List<String> seen = Collections.synchronizedList(new ArrayList<>());
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 5);
			JdbcTemplate jdbc = schema.jdbc();
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			try (ConfigurableApplicationContext app = TestApps.builder(schema, Map.of("items", migration))
				.initializers((context) -> {
					context.getBeanFactory().registerSingleton("afterRunner", new AfterRunner(jdbc, seen));
					context.getBeanFactory().registerSingleton("beforeRunner", new BeforeRunner(jdbc, seen));
				})
				.run()) {
				assertThat(app.getBean(BackfillApplicationRunner.class).getOrder())
					.isEqualTo(BackfillApplicationRunner.DEFAULT_ORDER)
					.isZero();
			}
		}
		assertThat(seen).containsExactly("before: 0 migrated", "after: 5 migrated");
	}

	/** An ApplicationRunner telling how many items the migration has passed over when it runs. */
	abstract static class CountingRunner implements ApplicationRunner {

		private final String name;

		private final JdbcTemplate jdbc;

		private final List<String> seen;

		CountingRunner(String name, JdbcTemplate jdbc, List<String> seen) {
			this.name = name;
			this.jdbc = jdbc;
			this.seen = seen;
		}

		@Override
		public void run(ApplicationArguments args) {
			Integer migrated = this.jdbc.queryForObject("SELECT COUNT(*) FROM information_schema.tables "
					+ "WHERE table_name = 'BACKFILL_MIGRATIONS'", Integer.class) == 0 ? 0
							: this.jdbc.queryForObject("SELECT COALESCE(SUM(rows_processed), 0) FROM backfill_migrations",
									Integer.class);
			this.seen.add(this.name + ": " + migrated + " migrated");
		}

	}

	@Order(-1)
	static class BeforeRunner extends CountingRunner {

		BeforeRunner(JdbcTemplate jdbc, List<String> seen) {
			super("before", jdbc, seen);
		}

	}

	@Order(1)
	static class AfterRunner extends CountingRunner {

		AfterRunner(JdbcTemplate jdbc, List<String> seen) {
			super("after", jdbc, seen);
		}

	}

	/** A Flyway initializer that another auto-configuration defines after backfill's. */
	@AutoConfiguration(after = BackfillAutoConfiguration.class)
	static class FlywayAfterBackfill {

		@Bean
		FlywayMigrationInitializer lateFlywayInitializer(DataSource dataSource) {
			return new FlywayMigrationInitializer(
					Flyway.configure().dataSource(dataSource).locations("classpath:db/backfill-flyway/h2").load());
		}

	}

}
