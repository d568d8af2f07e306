package dev.backfill.autoconfigure.console;

import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.TestingAuthenticationToken;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.nullValue;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The console's page, assets and JSON API over a test double of the operations API; its
 * actions closed unless the backfills endpoint's access is unrestricted.
 */
class ConsoleApiTests {

	private static final String OPEN = "management.endpoint.backfills.access=unrestricted";

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		// As in a Spring Boot application: Actuator reads 'read-only' through the environment.
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(AutoConfigurations.of(WebMvcAutoConfiguration.class, BackfillConsoleAutoConfiguration.class))
		.withBean(RecordingOperations.class, RecordingOperations::new)
		.withPropertyValues("backfill.console.enabled=true");

	@Test
	void servesThePageAtThePathWithAndWithoutTrailingSlashWithItsBaseUnderThePath() {
		run(this.runner, (mvc) -> {
			for (String url : List.of("/backfill", "/backfill/")) {
				mvc.perform(get(url))
					.andExpect(status().isOk())
					.andExpect(content().contentTypeCompatibleWith(MediaType.TEXT_HTML))
					.andExpect(content().string(containsString("<base href=\"/backfill/\">")))
					.andExpect(content().string(containsString("src=\"assets/console.js\"")));
			}
		});
	}

	@Test
	void servesThePageUnderTheConfiguredPathAndTheServletContextPath() {
		run(this.runner.withPropertyValues("backfill.console.path=/ops/backfills"), (mvc) -> {
			mvc.perform(get("/app/ops/backfills").contextPath("/app"))
				.andExpect(status().isOk())
				.andExpect(content().string(containsString("<base href=\"/app/ops/backfills/\">")));
			mvc.perform(get("/ops/backfills/api/migrations")).andExpect(status().isOk());
			mvc.perform(get("/backfill")).andExpect(status().isNotFound());
		});
	}

	@Test
	void servesItsScriptAndStylesheetFromTheJar() {
		run(this.runner, (mvc) -> {
			mvc.perform(get("/backfill/assets/console.js"))
				.andExpect(status().isOk())
				.andExpect(content().string(containsString("api/migrations")));
			mvc.perform(get("/backfill/assets/console.css"))
				.andExpect(status().isOk())
				.andExpect(content().contentTypeCompatibleWith("text/css"));
		});
	}

	@Test
	void listsEveryMigrationWithItsFiguresAndNoActionsWhileClosed() {
		run(this.runner, (mvc) -> mvc.perform(get("/backfill/api/migrations"))
			.andExpect(status().isOk())
			.andExpect(jsonPath("$.writesOpen").value(false))
			.andExpect(jsonPath("$.writesClosedReason").value(containsString(ConsoleWriteAccess.PROPERTY + "=unrestricted")))
			.andExpect(jsonPath("$.refreshMillis").value(2000))
			.andExpect(jsonPath("$.csrf").value(nullValue()))
			.andExpect(jsonPath("$.migrations[*].name").value(
					contains("emailDomain", "onboardingStep", "legacyCleanup", "chunked", "paused")))
			.andExpect(jsonPath("$.migrations[0].status").value("RUNNING"))
			.andExpect(jsonPath("$.migrations[0].rowsProcessed").value(45_000))
			.andExpect(jsonPath("$.migrations[0].estimatedTotal").value(200_000))
			.andExpect(jsonPath("$.migrations[0].percent").value(22.5))
			.andExpect(jsonPath("$.migrations[0].rowsPerSecond").value(1500.0))
			.andExpect(jsonPath("$.migrations[0].etaSeconds").value(103))
			.andExpect(jsonPath("$.migrations[0].throttledSeconds").value(7))
			.andExpect(jsonPath("$.migrations[0].throttleReason").value("replication lag 3s"))
			.andExpect(jsonPath("$.migrations[0].startedAt").value("2026-01-02T03:04:05Z"))
			.andExpect(jsonPath("$.migrations[2].lastError").value("batch (10, 20] failed"))
			.andExpect(jsonPath("$.migrations[3].chunks.total").value(4))
			.andExpect(jsonPath("$.migrations[3].chunks.completed").value(4))
			.andExpect(jsonPath("$.migrations[*].actions[*]").isEmpty()));
	}

	@Test
	void refusesAnActionWhileClosedSayingWhichPropertyOpensIt() {
		run(this.runner, (mvc, operations) -> {
			mvc.perform(post("/backfill/api/migrations/emailDomain/pause"))
				.andExpect(status().isForbidden())
				.andExpect(jsonPath("$.message").value(containsString(ConsoleWriteAccess.PROPERTY + "=unrestricted")));
			assertThat(operations.calls).isEmpty();
		});
	}

	@Test
	void onceOpenedOffersTheActionsEachStatusAllows() {
		run(this.runner.withPropertyValues(OPEN), (mvc) -> mvc.perform(get("/backfill/api/migrations"))
			.andExpect(jsonPath("$.writesOpen").value(true))
			.andExpect(jsonPath("$.writesClosedReason").value(nullValue()))
			.andExpect(jsonPath("$.migrations[0].actions").value(contains("pause")))
			.andExpect(jsonPath("$.migrations[1].actions").value(contains("pause")))
			.andExpect(jsonPath("$.migrations[2].actions").value(contains("retry")))
			.andExpect(jsonPath("$.migrations[3].actions").value(contains("rerun")))
			.andExpect(jsonPath("$.migrations[4].actions").value(contains("resume"))));
	}

	@Test
	void onceOpenedEachActionCallsTheOperationsApiAndAnswersTheNewState() {
		run(this.runner.withPropertyValues(OPEN), (mvc, operations) -> {
			mvc.perform(post("/backfill/api/migrations/emailDomain/pause")
				.principal(new TestingAuthenticationToken("alice", "secret")))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$.status").value("PAUSED"))
				.andExpect(jsonPath("$.actions").value(contains("resume")));
			mvc.perform(post("/backfill/api/migrations/paused/resume")).andExpect(status().isOk());
			mvc.perform(post("/backfill/api/migrations/legacyCleanup/retry")).andExpect(status().isOk());
			mvc.perform(post("/backfill/api/migrations/chunked/rerun")).andExpect(status().isOk());
			mvc.perform(post("/backfill/api/migrations/onboardingStep/pause")).andExpect(status().isOk());
			assertThat(operations.calls).containsExactly("pause emailDomain by alice", "resume paused",
					"retry legacyCleanup", "rerun chunked", "pause onboardingStep by null");
		});
	}

	@Test
	void answersAnUnknownMigrationOrActionWith404AndAStatusConflictWith409() {
		run(this.runner.withPropertyValues(OPEN), (mvc, operations) -> {
			mvc.perform(post("/backfill/api/migrations/nope/pause"))
				.andExpect(status().isNotFound())
				.andExpect(jsonPath("$.message").value(containsString("No migration named 'nope'")));
			mvc.perform(post("/backfill/api/migrations/emailDomain/explode"))
				.andExpect(status().isNotFound())
				.andExpect(jsonPath("$.message").value("No action 'explode'; the actions are [pause, resume, retry, rerun]"));
			mvc.perform(post("/backfill/api/migrations/chunked/resume"))
				.andExpect(status().isConflict())
				.andExpect(jsonPath("$.message").value(containsString("Cannot resume migration 'chunked': it is COMPLETED")));
			assertThat(operations.calls).containsExactly("pause nope by null", "resume chunked");
		});
	}

	@Test
	void withActuatorFollowsTheEndpointAccessResolverSoMaxPermittedCapsIt() {
		WebApplicationContextRunner actuator = this.runner
			.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class));
		run(actuator.withPropertyValues(OPEN), (mvc, operations) -> {
			assertThat(mvc.perform(post("/backfill/api/migrations/emailDomain/pause")).andReturn().getResponse().getStatus())
				.isEqualTo(200);
		});
		run(actuator.withPropertyValues(OPEN, "management.endpoints.access.max-permitted=read-only"),
				(mvc) -> mvc.perform(post("/backfill/api/migrations/emailDomain/pause")).andExpect(status().isForbidden()));
		run(actuator.withPropertyValues("management.endpoints.access.default=unrestricted"),
				(mvc) -> mvc.perform(post("/backfill/api/migrations/emailDomain/pause")).andExpect(status().isOk()));
		run(actuator, (mvc) -> mvc.perform(post("/backfill/api/migrations/emailDomain/pause"))
			.andExpect(status().isForbidden()));
		actuator.run((context) -> assertThat(context.getBean(ConsoleWriteAccess.class))
			.isInstanceOf(EndpointWriteAccess.class));
	}

	@Test
	void withoutActuatorReadsTheSamePropertiesAsTheEndpoint() {
		this.runner.run((context) -> assertThat(context.getBean(ConsoleWriteAccess.class)).isInstanceOf(PropertyWriteAccess.class));
		run(this.runner.withPropertyValues("management.endpoint.backfills.access=UNRESTRICTED"),
				(mvc) -> mvc.perform(post("/backfill/api/migrations/emailDomain/pause")).andExpect(status().isOk()));
		run(this.runner.withPropertyValues(OPEN, "management.endpoints.access.max-permitted=read-only"),
				(mvc) -> mvc.perform(post("/backfill/api/migrations/emailDomain/pause")).andExpect(status().isForbidden()));
		run(this.runner.withPropertyValues("management.endpoints.access.default=unrestricted"),
				(mvc) -> mvc.perform(post("/backfill/api/migrations/emailDomain/pause")).andExpect(status().isOk()));
		run(this.runner.withPropertyValues("management.endpoints.access.default=unrestricted",
				"management.endpoint.backfills.access=read-only"),
				(mvc) -> mvc.perform(post("/backfill/api/migrations/emailDomain/pause")).andExpect(status().isForbidden()));
	}

	private static void run(WebApplicationContextRunner runner, MvcCheck check) {
		run(runner, (mvc, operations) -> check.check(mvc));
	}

	private static void run(WebApplicationContextRunner runner, MvcOperationsCheck check) {
		runner.run((context) -> {
			assertThat(context).hasNotFailed();
			check.check(mvc(context), context.getBean(RecordingOperations.class));
		});
	}

	static MockMvc mvc(AssertableWebApplicationContext context) {
		return MockMvcBuilders.webAppContextSetup(context).build();
	}

	interface MvcCheck {

		void check(MockMvc mvc) throws Exception;

	}

	interface MvcOperationsCheck {

		void check(MockMvc mvc, RecordingOperations operations) throws Exception;

	}

}
