package dev.backfill.autoconfigure.health;

import dev.backfill.autoconfigure.BackfillAutoConfiguration;
import dev.backfill.health.BackfillHealthIndicator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/** When the {@code backfill} health indicator is there, and when it backs off. */
class BackfillHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, BackfillAutoConfiguration.class,
				BackfillHealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:health-${random.uuid};DB_CLOSE_DELAY=-1");

	@Test
	void registersTheIndicatorAsBackfill() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(BackfillHealthIndicator.class);
			assertThat(context.getBean(HealthContributorRegistry.class).getContributor("backfill"))
				.isSameAs(context.getBean(BackfillHealthIndicator.class));
		});
	}

	@Test
	void isListedInTheAutoConfigurationImports() {
		assertThat(ImportCandidates.load(AutoConfiguration.class, getClass().getClassLoader()).getCandidates())
			.contains(BackfillHealthContributorAutoConfiguration.class.getName());
	}

	@Test
	void backsOffWithoutSpringBootHealth() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(BackfillHealthIndicator.class));
	}

	@Test
	void backsOffWhenTheIndicatorIsDisabled() {
		this.contextRunner.withPropertyValues("management.health.backfill.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(BackfillHealthIndicator.class));
	}

	@Test
	void backsOffWhenBackfillIsDisabled() {
		this.contextRunner.withPropertyValues("backfill.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(BackfillHealthIndicator.class));
	}

	@Test
	void aBeanNamedBackfillHealthIndicatorReplacesOurs() {
		HealthIndicator custom = () -> Health.up().withDetail("custom", true).build();
		this.contextRunner.withBean("backfillHealthIndicator", HealthIndicator.class, () -> custom)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(BackfillHealthIndicator.class);
				assertThat(context.getBean(HealthContributorRegistry.class).getContributor("backfill"))
					.isSameAs(custom);
			});
	}

}
