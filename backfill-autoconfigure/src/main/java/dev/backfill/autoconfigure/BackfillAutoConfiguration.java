package dev.backfill.autoconfigure;

import java.util.List;

import javax.sql.DataSource;

import dev.backfill.DataMigration;
import dev.backfill.MigrationListener;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.metrics.MicrometerMigrationListener;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Auto-configuration of backfill: runs every {@link DataMigration} bean in keyset batches
 * once the application has started, recording progress in the tracking table.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = { "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
		"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
		"org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration" })
@ConditionalOnClass({ DataSource.class, JdbcTemplate.class })
@ConditionalOnSingleCandidate(DataSource.class)
@ConditionalOnBooleanProperty(name = "backfill.enabled", matchIfMissing = true)
@EnableConfigurationProperties(BackfillProperties.class)
public final class BackfillAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	BackfillSchemaInitializer backfillSchemaInitializer(DataSource dataSource, BackfillProperties properties) {
		return new BackfillSchemaInitializer(dataSource, properties.getTableName(), properties.getInitializeSchema());
	}

	@Bean
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	BackfillRunner backfillRunner(ConfigurableListableBeanFactory beanFactory, DataSource dataSource,
			BackfillProperties properties, BackfillSchemaInitializer schemaInitializer,
			ObjectProvider<MigrationListener> listener) {
		List<MigrationTarget> targets = new MigrationTargets(beanFactory, dataSource, properties, schemaInitializer)
			.resolve();
		RunnerSettings settings = new RunnerSettings(properties.getLeaseDuration(), properties.getLockWaitTimeout(),
				properties.getRetry().getMaxAttempts(), properties.getRetry().getInitialBackoff(),
				properties.getRetry().getMaxBackoff());
		return new BackfillRunner(targets, settings, listener.getIfAvailable(() -> MigrationListener.NONE));
	}

	@Bean
	@ConditionalOnMissingBean
	@DependsOnDatabaseInitialization
	BackfillApplicationRunner backfillApplicationRunner(BackfillRunner runner, BackfillProperties properties) {
		return new BackfillApplicationRunner(runner, properties.getMode());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(MeterRegistry.class)
	@ConditionalOnBean(MeterRegistry.class)
	static class MetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		MicrometerMigrationListener backfillMetricsListener(MeterRegistry registry) {
			return new MicrometerMigrationListener(registry);
		}

	}

}
