package dev.backfill.autoconfigure;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.backfill.BackfillOperations;
import dev.backfill.BackfillThrottle;
import dev.backfill.DataMigration;
import dev.backfill.MigrationListener;
import dev.backfill.autoconfigure.throttle.HealthIndicatorThrottle;
import dev.backfill.autoconfigure.throttle.ReplicationLagThrottle;
import dev.backfill.internal.operations.TrackingTableOperations;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.BatchObserver;
import dev.backfill.internal.runner.CompositeMigrationListener;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.internal.settings.Setting;
import dev.backfill.metrics.BackfillGauges;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.observation.BackfillBatchObservationConvention;
import dev.backfill.observation.ObservationBatchObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.OnPropertyListCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.sql.autoconfigure.init.OnDatabaseInitializationCondition;
import org.springframework.boot.sql.init.dependency.DatabaseInitializationDependencyConfigurer;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Auto-configuration of backfill: runs every {@link DataMigration} bean in keyset batches
 * once the application has started, recording progress in the tracking table.
 * <p>
 * It needs a DataSource, not a single one: a migration runs on the DataSource it names,
 * and one that names none on the only or {@code @Primary} DataSource (startup fails,
 * naming the migration and the candidates, when there is no such one). It imports Spring
 * Boot's database initialization ordering itself, so the tracking table is created after
 * Flyway, Liquibase and SQL scripts even when no other auto-configuration imports it.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
		"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
		"org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
		"org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration" })
@ConditionalOnClass({ DataSource.class, JdbcTemplate.class })
@ConditionalOnBean(DataSource.class)
@ConditionalOnBooleanProperty(name = "backfill.enabled", matchIfMissing = true)
@EnableConfigurationProperties(BackfillProperties.class)
@Import(DatabaseInitializationDependencyConfigurer.class)
public final class BackfillAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@Conditional(OnBackfillSchemaInitializationCondition.class)
	BackfillSchemaInitializer backfillSchemaInitializer(ObjectProvider<DataSource> dataSources,
			BackfillProperties properties) {
		return new BackfillSchemaInitializer(dataSources.getIfUnique(), properties.getTableName(),
				properties.getInitializeSchema());
	}

	@Bean
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	BackfillRunner backfillRunner(ConfigurableListableBeanFactory beanFactory, ObjectProvider<DataSource> dataSources,
			Environment environment, BackfillProperties properties,
			ObjectProvider<BackfillSchemaInitializer> schemaInitializer, ObjectProvider<MigrationListener> listeners,
			ObjectProvider<BackfillThrottle> throttles, ObjectProvider<BatchObserver> observer) {
		List<MigrationTarget> targets = new MigrationTargets(beanFactory, dataSources.getIfUnique(), environment,
				properties, schemaInitializer.getIfUnique())
			.resolve();
		RunnerSettings settings = new RunnerSettings(properties.getLeaseDuration(), properties.getLockWaitTimeout(),
				properties.getRetry().getMaxAttempts(), properties.getRetry().getInitialBackoff(),
				properties.getRetry().getMaxBackoff(), properties.getProgressLogInterval());
		return new BackfillRunner(targets, settings, new CompositeMigrationListener(listeners.orderedStream().toList()),
				throttles.orderedStream().toList(), observer.getIfAvailable(() -> BatchObserver.NONE));
	}

	@Bean
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	BackfillApplicationRunner backfillApplicationRunner(BackfillRunner runner, BackfillProperties properties) {
		return new BackfillApplicationRunner(runner, properties.getMode());
	}

	@Bean
	@ConditionalOnMissingBean
	BackfillOperations backfillOperations(BackfillRunner runner, ConfigurableListableBeanFactory beanFactory) {
		Map<DataSource, String> names = new IdentityHashMap<>();
		beanFactory.getBeansOfType(DataSource.class).forEach((name, dataSource) -> names.putIfAbsent(dataSource, name));
		return new TrackingTableOperations(runner.targets(), (dataSource) -> names.getOrDefault(dataSource, "dataSource"));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MicrometerMigrationListener backfillMetricsListener(MeterRegistry registry,
				ObjectProvider<BatchObserver> observer) {
			// With the observation, timer backfill.batch comes from it (Boot's meter observation handler).
			return new MicrometerMigrationListener(registry, observer.getIfAvailable() == null);
		}

		@Bean
		@ConditionalOnMissingBean
		BackfillGauges backfillGauges(MeterRegistry registry, BackfillRunner runner) {
			return new BackfillGauges(registry, runner.targets());
		}

	}

	/** An observation {@code backfill.batch} for each attempt at a batch. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ObservationRegistry.class)
	@ConditionalOnBean(ObservationRegistry.class)
	static class ObservationConfiguration {

		@Bean
		@ConditionalOnMissingBean(BatchObserver.class)
		ObservationBatchObserver backfillBatchObserver(ObservationRegistry registry,
				ObjectProvider<BackfillBatchObservationConvention> convention) {
			return new ObservationBatchObserver(registry, convention.getIfUnique());
		}

	}

	/** {@code backfill.mode=job}: the application exits once the migrations are done. */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty(name = "backfill.mode", havingValue = "job")
	static class JobModeConfiguration {

		@Bean
		@ConditionalOnMissingBean
		JobExit backfillJobExit() {
			return System::exit;
		}

		@Bean
		BackfillJobExit backfillJobModeExit(BackfillApplicationRunner runner, JobExit exit) {
			return new BackfillJobExit(runner, exit);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "org.springframework.boot.health.registry.HealthContributorRegistry")
	@Conditional(OnHealthIndicatorsCondition.class)
	static class HealthIndicatorThrottleConfiguration {

		@Bean
		@ConditionalOnMissingBean
		HealthIndicatorThrottle backfillHealthIndicatorThrottle(ObjectProvider<HealthContributorRegistry> registry,
				BackfillProperties properties) {
			String property = "backfill." + Setting.HEALTH_INDICATOR.property();
			List<String> names = properties.getThrottleOn().getHealthIndicators();
			HealthContributorRegistry contributors = registry.getIfAvailable();
			if (contributors == null) {
				throw new InvalidConfigurationPropertyValueException(property, names,
						"needs Spring Boot's HealthContributorRegistry bean, which this application does not have");
			}
			try {
				return new HealthIndicatorThrottle(contributors, names, properties.getThrottleOn().getCheckInterval());
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidConfigurationPropertyValueException(property, names, ex.getMessage());
			}
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnProperty("backfill.throttle-on.replication-lag")
	static class ReplicationLagThrottleConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ReplicationLagThrottle backfillReplicationLagThrottle(BackfillProperties properties) {
			BackfillProperties.ThrottleOn throttleOn = properties.getThrottleOn();
			return new ReplicationLagThrottle(throttleOn.getReplicationLag(), throttleOn.getCheckInterval());
		}

	}

	/** Matches when {@code backfill.throttle-on.health-indicators} names any indicator. */
	static class OnHealthIndicatorsCondition extends OnPropertyListCondition {

		OnHealthIndicatorsCondition() {
			super("backfill.throttle-on.health-indicators",
					() -> ConditionMessage.forCondition("Backfill health indicator throttle"));
		}

	}

	/** Matches unless {@code backfill.initialize-schema} is {@code never}. */
	static class OnBackfillSchemaInitializationCondition extends OnDatabaseInitializationCondition {

		OnBackfillSchemaInitializationCondition() {
			super("Backfill", "backfill.initialize-schema");
		}

	}

}
