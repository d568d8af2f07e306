package dev.backfill.autoconfigure;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import dev.backfill.BackfillMode;
import dev.backfill.DataMigration;
import dev.backfill.MigrationListener;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.metrics.MicrometerMigrationListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** What the auto-configuration contributes, and when it backs off. */
class BackfillAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, BackfillAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:autoconfig-${random.uuid};DB_CLOSE_DELAY=-1");

	@Test
	void backsOffWithoutDataSource() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BackfillAutoConfiguration.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(BackfillRunner.class)
				.doesNotHaveBean(BackfillApplicationRunner.class)
				.doesNotHaveBean(BackfillSchemaInitializer.class));
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues("backfill.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(DataSource.class)
				.doesNotHaveBean(BackfillRunner.class)
				.doesNotHaveBean(BackfillApplicationRunner.class));
	}

	@Test
	void createsRunnerApplicationRunnerAndTrackingTable() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(BackfillRunner.class)
				.hasSingleBean(BackfillApplicationRunner.class)
				.doesNotHaveBean(MigrationListener.class);
			Integer tables = new JdbcTemplate(context.getBean(DataSource.class)).queryForObject(
					"SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'BACKFILL_MIGRATIONS'",
					Integer.class);
			assertThat(tables).isOne();
		});
	}

	@Test
	void publishesMetricsWhenAMeterRegistryIsPresent() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
			.run((context) -> assertThat(context).hasSingleBean(MicrometerMigrationListener.class));
	}

	@Test
	void userBeansReplaceOurs() {
		this.contextRunner.withUserConfiguration(UserBeans.class).run((context) -> {
			assertThat(context).hasSingleBean(BackfillRunner.class)
				.hasSingleBean(BackfillApplicationRunner.class)
				.hasSingleBean(BackfillSchemaInitializer.class);
			assertThat(context.getBean(BackfillRunner.class)).isSameAs(context.getBean("userRunner"));
			assertThat(context.getBean(BackfillApplicationRunner.class))
				.isSameAs(context.getBean("userApplicationRunner"));
			assertThat(context.getBean(BackfillSchemaInitializer.class)).isSameAs(context.getBean("userInitializer"));
		});
	}

	@Test
	void runsMigrationsByOrderThenByBeanName() {
		this.contextRunner.withUserConfiguration(OrderedMigrations.class).run((context) -> {
			List<String> names = context.getBean(BackfillRunner.class)
				.targets()
				.stream()
				.map(MigrationTarget::name)
				.toList();
			assertThat(names).containsExactly("zulu", "bravo", "alpha", "charlie");
		});
	}

	@Test
	void invalidPropertyValuesStopStartupNamingPropertyAndValue() {
		assertInvalid("backfill.batch-size=0", "Property backfill.batch-size with value '0' is invalid: "
				+ "must be at least 1");
		assertInvalid("backfill.migrations.x.batch-size=-5",
				"Property backfill.migrations.x.batch-size with value '-5' is invalid: must be at least 1");
		assertInvalid("backfill.mode=sideways", "Failed to bind properties under 'backfill.mode'", "sideways");
		assertInvalid("backfill.table-name=backfill;drop table users",
				"Property backfill.table-name with value 'backfill;drop table users' is invalid: "
						+ "must be a plain SQL identifier");
		assertInvalid("backfill.table-name=back'fill",
				"Property backfill.table-name with value 'back'fill' is invalid: must be a plain SQL identifier");
		assertInvalid("backfill.throttle=-1s", "Property backfill.throttle with value 'PT-1S' is invalid: "
				+ "must not be negative");
		assertInvalid("backfill.lease-duration=10ms", "Property backfill.lease-duration with value 'PT0.01S' is "
				+ "invalid: must be at least 1s");
	}

	private void assertInvalid(String property, String... expectedMessages) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			Throwable failure = context.getStartupFailure();
			StringBuilder messages = new StringBuilder();
			for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
				messages.append(cause.getMessage()).append('\n');
			}
			assertThat(messages.toString()).contains(expectedMessages);
		});
	}

	@Test
	void metadataDocumentsEveryProperty() throws Exception {
		JsonNode metadata;
		try (InputStream json = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			metadata = new ObjectMapper().readTree(json);
		}
		Map<String, String> descriptions = metadata.get("properties")
			.valueStream()
			.collect(Collectors.toMap((p) -> p.get("name").asString(),
					(p) -> p.has("description") ? p.get("description").asString() : ""));
		assertThat(descriptions).containsOnlyKeys("backfill.enabled", "backfill.mode", "backfill.batch-size",
				"backfill.throttle", "backfill.transactional", "backfill.statement-timeout", "backfill.lock-timeout",
				"backfill.table-name", "backfill.initialize-schema", "backfill.lease-duration",
				"backfill.lock-wait-timeout", "backfill.retry.max-attempts", "backfill.retry.initial-backoff",
				"backfill.retry.max-backoff", "backfill.migrations", "backfill.batch-size-mode",
				"backfill.target-batch-duration", "backfill.min-batch-size", "backfill.max-batch-size",
				"backfill.health.failed-is-down", "backfill.throttle-on.replication-lag",
				"backfill.throttle-on.health-indicators", "backfill.throttle-on.check-interval", "backfill.estimate",
				"backfill.progress-log-interval", "backfill.dry-run", "backfill.verify", "backfill.sweep",
				"backfill.max-passes");
		assertThat(descriptions).allSatisfy((name, description) -> assertThat(description).as(name).isNotBlank());
		JsonNode throttle = metadata.get("properties")
			.valueStream()
			.filter((p) -> p.get("name").asString().equals("backfill.throttle"))
			.findFirst()
			.orElseThrow();
		assertThat(throttle.get("type").asString()).isEqualTo("java.time.Duration");
		assertThat(throttle.get("defaultValue").asString()).isEqualTo("100ms");
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		@Bean
		BackfillRunner userRunner() {
			return new BackfillRunner(List.of(), defaultRunnerSettings(), MigrationListener.NONE);
		}

		@Bean
		BackfillApplicationRunner userApplicationRunner(BackfillRunner runner) {
			return new BackfillApplicationRunner(runner, BackfillMode.BACKGROUND);
		}

		@Bean
		BackfillSchemaInitializer userInitializer(DataSource dataSource) {
			return new BackfillSchemaInitializer(dataSource, "mine",
					org.springframework.boot.sql.init.DatabaseInitializationMode.NEVER);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OrderedMigrations {

		@Bean
		DataMigration charlie() {
			return new NoOp();
		}

		@Bean
		@Order(1)
		DataMigration bravo() {
			return new NoOp();
		}

		@Bean
		DataMigration alpha() {
			return new NoOp();
		}

		@Bean
		DataMigration zulu() {
			return new OrderedNoOp();
		}

	}

	static class NoOp implements DataMigration {

		@Override
		public String baseQuery() {
			return "SELECT 1 AS id";
		}

		@Override
		public void migrate(List<Map<String, Object>> rows) {
		}

	}

	static class OrderedNoOp extends NoOp implements Ordered {

		@Override
		public int getOrder() {
			return 0;
		}

	}

	/** The runner settings of an application that sets no backfill property. */
	static RunnerSettings defaultRunnerSettings() {
		BackfillProperties defaults = new BackfillProperties();
		return new RunnerSettings(defaults.getLeaseDuration(), defaults.getLockWaitTimeout(),
				defaults.getRetry().getMaxAttempts(), defaults.getRetry().getInitialBackoff(),
				defaults.getRetry().getMaxBackoff());
	}

}
