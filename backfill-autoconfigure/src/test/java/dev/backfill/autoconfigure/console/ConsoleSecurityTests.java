package dev.backfill.autoconfigure.console;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.mock.web.MockHttpSession;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers.springSecurity;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The console in an application with Spring Boot's default web security: Security
 * refuses an unauthenticated or CSRF-less action, and the token the console's JSON API
 * hands the page opens the way for an authenticated one.
 */
class ConsoleSecurityTests {

	private static final String PAUSE = "/backfill/api/migrations/emailDomain/pause";

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class, SecurityAutoConfiguration.class,
				ServletWebSecurityAutoConfiguration.class, UserDetailsServiceAutoConfiguration.class,
				BackfillConsoleAutoConfiguration.class))
		.withBean(RecordingOperations.class, RecordingOperations::new)
		.withPropertyValues("backfill.console.enabled=true", "management.endpoint.backfills.access=unrestricted",
				"spring.security.user.name=operator", "spring.security.user.password=secret");

	@Test
	void refusesAnUnauthenticatedActionAndPage() {
		this.runner.run((context) -> {
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
			mvc.perform(post(PAUSE).with(csrf())).andExpect(status().isUnauthorized());
			mvc.perform(get("/backfill/api/migrations")).andExpect(status().isUnauthorized());
			assertThat(context.getBean(RecordingOperations.class).calls).isEmpty();
		});
	}

	@Test
	void refusesAnAuthenticatedActionWithoutTheCsrfToken() {
		this.runner.run((context) -> {
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
			mvc.perform(post(PAUSE).with(httpBasic("operator", "secret"))).andExpect(status().isForbidden());
			mvc.perform(post(PAUSE).with(httpBasic("operator", "secret")).header("X-CSRF-TOKEN", "forged"))
				.andExpect(status().isForbidden());
			assertThat(context.getBean(RecordingOperations.class).calls).isEmpty();
		});
	}

	@Test
	void anActionCarryingTheTokenOfTheJsonApiInItsHeaderPassesAndRecordsThePrincipal() {
		this.runner.run((context) -> {
			MockMvc mvc = MockMvcBuilders.webAppContextSetup(context).apply(springSecurity()).build();
			MockHttpSession session = new MockHttpSession();
			String json = mvc.perform(get("/backfill/api/migrations").session(session).with(httpBasic("operator", "secret")))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$.csrf.headerName").value("X-CSRF-TOKEN"))
				.andReturn()
				.getResponse()
				.getContentAsString();
			String header = JsonPath.read(json, "$.csrf.headerName");
			String token = JsonPath.read(json, "$.csrf.token");
			mvc.perform(post(PAUSE).session(session).with(httpBasic("operator", "secret")).header(header, token))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$.status").value("PAUSED"));
			assertThat(context.getBean(RecordingOperations.class).calls).containsExactly("pause emailDomain by operator");
		});
	}

}
