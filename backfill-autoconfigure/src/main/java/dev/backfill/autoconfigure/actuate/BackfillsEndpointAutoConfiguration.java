package dev.backfill.autoconfigure.actuate;

import dev.backfill.BackfillOperations;
import dev.backfill.actuate.BackfillsEndpoint;
import dev.backfill.autoconfigure.BackfillAutoConfiguration;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the Actuator endpoint {@code backfills} when Actuator is present
 * and the endpoint is available (its access not {@code none}, and exposed, e.g. by
 * {@code management.endpoints.web.exposure.include=backfills}). Its writes are opened by
 * {@code management.endpoint.backfills.access=unrestricted}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = BackfillAutoConfiguration.class,
		afterName = "org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration")
@ConditionalOnClass(name = { "org.springframework.boot.actuate.endpoint.annotation.Endpoint",
		"org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint" })
@ConditionalOnBean(BackfillOperations.class)
@ConditionalOnAvailableEndpoint(BackfillsEndpoint.class)
public final class BackfillsEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	BackfillsEndpoint backfillsEndpoint(BackfillOperations operations) {
		return new BackfillsEndpoint(operations);
	}

}
