package dev.backfill.autoconfigure.console;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;

/** When the console's auto-configuration serves the console, and when it backs off. */
class BackfillConsoleAutoConfigurationTests {

	private static final String ROUTES = "backfillConsoleRouterFunction";

	private final WebApplicationContextRunner web = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class, BackfillConsoleAutoConfiguration.class))
		.withBean(RecordingOperations.class, RecordingOperations::new);

	@Test
	void servesTheConsoleInAServletApplicationOnceEnabled() {
		this.web.withPropertyValues("backfill.console.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed().hasBean(ROUTES).hasSingleBean(ConsoleWriteAccess.class));
	}

	@Test
	void isAbsentUnlessEnabled() {
		this.web.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ROUTES));
		this.web.withPropertyValues("backfill.console.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ROUTES));
	}

	@Test
	void isAbsentWithoutAServletWebStack() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(BackfillConsoleAutoConfiguration.class))
			.withBean(RecordingOperations.class, RecordingOperations::new)
			.withPropertyValues("backfill.console.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ROUTES));
	}

	@Test
	void isAbsentWithoutSpringMvc() {
		this.web.withClassLoader(new FilteredClassLoader(RouterFunctions.class))
			.withPropertyValues("backfill.console.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ROUTES));
	}

	@Test
	void isAbsentWithoutTheOperationsApi() {
		new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class, BackfillConsoleAutoConfiguration.class))
			.withPropertyValues("backfill.console.enabled=true")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(ROUTES));
	}

	@Test
	void aRouterFunctionOfTheSameNameReplacesOurs() {
		RouterFunction<ServerResponse> mine = RouterFunctions.route().GET("/mine", (request) -> ServerResponse.ok().build()).build();
		this.web.withPropertyValues("backfill.console.enabled=true")
			.withBean(ROUTES, RouterFunction.class, () -> mine)
			.run((context) -> assertThat(context.getBean(ROUTES)).isSameAs(mine));
	}

	@Test
	void aBadPathStopsStartupNamingTheProperty() {
		for (String path : new String[] { "backfill", "/backfill/", "/", "/back fill", "/a/<b>" }) {
			this.web.withPropertyValues("backfill.console.enabled=true", "backfill.console.path=" + path)
				.run((context) -> assertThat(context).getFailure()
					.rootCause()
					.hasMessageContaining("Property backfill.console.path with value '" + path + "' is invalid")
					.hasMessageContaining("must start with '/'"));
		}
	}

	@Test
	void aRefreshIntervalUnder100msStopsStartup() {
		this.web.withPropertyValues("backfill.console.enabled=true", "backfill.console.refresh-interval=10ms")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageContaining("Property backfill.console.refresh-interval with value 'PT0.01S' is invalid: "
						+ "must be at least 100ms"));
	}

}
