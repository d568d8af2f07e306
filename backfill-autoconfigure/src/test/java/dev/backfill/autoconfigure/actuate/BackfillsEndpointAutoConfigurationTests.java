package dev.backfill.autoconfigure.actuate;

import java.util.List;
import java.util.Optional;

import dev.backfill.BackfillOperations;
import dev.backfill.MigrationInfo;
import dev.backfill.actuate.BackfillsEndpoint;
import dev.backfill.autoconfigure.BackfillAutoConfiguration;
import dev.backfill.internal.operations.TrackingTableOperations;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** When the operations bean and the {@code backfills} endpoint exist, and what replaces them. */
class BackfillsEndpointAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, BackfillAutoConfiguration.class,
				EndpointAutoConfiguration.class, BackfillsEndpointAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:endpoint-${random.uuid};DB_CLOSE_DELAY=-1");

	@Test
	void operationsAlwaysTheEndpointOnlyOnceExposed() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(TrackingTableOperations.class)
			.doesNotHaveBean(BackfillsEndpoint.class));
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=backfills")
			.run((context) -> assertThat(context).hasSingleBean(BackfillsEndpoint.class));
	}

	@Test
	void noEndpointWhenItsAccessIsNone() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=backfills",
					"management.endpoint.backfills.access=NONE")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(BackfillsEndpoint.class));
	}

	@Test
	void noEndpointWithoutActuator() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					BackfillAutoConfiguration.class, BackfillsEndpointAutoConfiguration.class))
			.withPropertyValues("spring.datasource.url=jdbc:h2:mem:endpoint-${random.uuid};DB_CLOSE_DELAY=-1",
					"management.endpoints.web.exposure.include=backfills")
			.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate"))
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(BackfillOperations.class)
				.doesNotHaveBean(BackfillsEndpoint.class));
	}

	@Test
	void aUsersOperationsBeanReplacesOursAndTheEndpointUsesIt() {
		this.contextRunner.withUserConfiguration(UserOperations.class)
			.withPropertyValues("management.endpoints.web.exposure.include=backfills")
			.run((context) -> {
				assertThat(context).hasSingleBean(BackfillOperations.class).doesNotHaveBean(TrackingTableOperations.class);
				assertThat(context.getBean(BackfillsEndpoint.class).migrations().migrations()).isEmpty();
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserOperations {

		@Bean
		BackfillOperations myOperations() {
			return new BackfillOperations() {
				@Override
				public List<MigrationInfo> migrations() {
					return List.of();
				}

				@Override
				public Optional<MigrationInfo> migration(String name) {
					return Optional.empty();
				}

				@Override
				public MigrationInfo pause(String name, String pausedBy) {
					throw new UnsupportedOperationException();
				}

				@Override
				public MigrationInfo resume(String name) {
					throw new UnsupportedOperationException();
				}

				@Override
				public MigrationInfo retry(String name) {
					throw new UnsupportedOperationException();
				}

				@Override
				public MigrationInfo rerun(String name) {
					throw new UnsupportedOperationException();
				}
			};
		}

	}

}
