package dev.backfill.autoconfigure.health;

import dev.backfill.autoconfigure.BackfillAutoConfiguration;
import dev.backfill.autoconfigure.BackfillProperties;
import dev.backfill.health.BackfillHealthIndicator;
import dev.backfill.internal.runner.BackfillRunner;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code backfill} health indicator, when Spring Boot's health
 * support ({@code spring-boot-health}, brought by Actuator) is present; switched off by
 * {@code management.health.backfill.enabled=false}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = BackfillAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(BackfillRunner.class)
@ConditionalOnEnabledHealthIndicator("backfill")
@EnableConfigurationProperties(BackfillProperties.class)
public final class BackfillHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = { "backfillHealthIndicator", "backfillHealthContributor" })
	BackfillHealthIndicator backfillHealthIndicator(ObjectProvider<BackfillRunner> runner,
			BackfillProperties properties) {
		// Looked up when health is asked for: a health-indicator throttle makes the runner
		// depend on the health registry, which holds this indicator.
		return new BackfillHealthIndicator(runner::getObject, properties.getHealth().isFailedIsDown());
	}

}
