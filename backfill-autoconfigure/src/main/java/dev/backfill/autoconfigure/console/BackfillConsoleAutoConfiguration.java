package dev.backfill.autoconfigure.console;

import dev.backfill.BackfillOperations;
import dev.backfill.autoconfigure.BackfillAutoConfiguration;

import org.springframework.boot.actuate.endpoint.EndpointAccessResolver;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Auto-configuration of backfill's web console, opt-in with
 * {@code backfill.console.enabled=true}, in a servlet Spring MVC application: a page at
 * {@code backfill.console.path} ({@code /backfill}) with every migration's progress and
 * buttons for {@link BackfillOperations}' actions, its assets under {@code <path>/assets/},
 * and its JSON API under {@code <path>/api/}.
 * <p>
 * Its actions follow the access rule of the Actuator endpoint {@code backfills}: closed
 * unless {@code management.endpoint.backfills.access=unrestricted}, read through Actuator's
 * {@link EndpointAccessResolver} when there is one (so that
 * {@code management.endpoints.access.max-permitted} caps it), through the same properties
 * otherwise. Spring Security, where the application has it, guards the console's URLs as
 * any others, CSRF protection included.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = BackfillAutoConfiguration.class,
		afterName = "org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration")
@ConditionalOnWebApplication(type = Type.SERVLET)
@ConditionalOnClass(RouterFunctions.class)
@ConditionalOnBooleanProperty("backfill.console.enabled")
@ConditionalOnBean(BackfillOperations.class)
@EnableConfigurationProperties(BackfillConsoleProperties.class)
@Import({ BackfillConsoleAutoConfiguration.EndpointAccessConfiguration.class,
		BackfillConsoleAutoConfiguration.PropertyAccessConfiguration.class })
public final class BackfillConsoleAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "backfillConsoleRouterFunction")
	RouterFunction<ServerResponse> backfillConsoleRouterFunction(BackfillOperations operations,
			ConsoleWriteAccess writeAccess, BackfillConsoleProperties properties) {
		ConsoleHandler handler = new ConsoleHandler(operations, writeAccess, properties);
		String path = properties.getPath();
		return RouterFunctions.route()
			.GET(path, handler::page)
			.GET(path + "/", handler::page)
			.GET(path + "/api/migrations", handler::migrations)
			.POST(path + "/api/migrations/{name}/{action}", handler::act)
			.resources(path + "/assets/**", new ClassPathResource("dev/backfill/console/assets/"))
			.build();
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(EndpointAccessResolver.class)
	@ConditionalOnBean(EndpointAccessResolver.class)
	static class EndpointAccessConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ConsoleWriteAccess backfillConsoleEndpointWriteAccess(EndpointAccessResolver resolver) {
			return new EndpointWriteAccess(resolver);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingBean(type = "org.springframework.boot.actuate.endpoint.EndpointAccessResolver")
	static class PropertyAccessConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ConsoleWriteAccess backfillConsolePropertyWriteAccess(Environment environment) {
			return new PropertyWriteAccess(environment);
		}

	}

}
