package dev.backfill.actuate;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Actuator endpoint {@code backfills} over HTTP in a real web application: its JSON,
 * read-only by default, every action once opened, and behind Spring Security.
 */
class BackfillsEndpointTests {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final String[] SECURITY_OFF = { "spring.autoconfigure.exclude="
			+ "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration,"
			+ "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration,"
			+ "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration,"
			+ "org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterAutoConfiguration,"
			+ "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration" };

	private static final String OPEN = "management.endpoint.backfills.access=unrestricted";

	private final HttpClient http = HttpClient.newHttpClient();

	private final JsonMapper json = JsonMapper.builder().build();

	static Stream<TestDatabase> h2AndPostgres() {
		return Stream.of(TestDatabases.h2(), TestDatabases.postgres());
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("h2AndPostgres")
	void listsEveryMigrationAsJsonShowsOneAnswers404ForAnUnknownOneAndRefusesPostsByDefault(TestDatabase database)
			throws Exception {
		try (TestSchema schema = database.createSchema(); Apps apps = new Apps(schema, SECURITY_OFF)) {
			int port = apps.port();
			JsonNode list = get(port, "/actuator/backfills", 200);
			assertThat(list.get("migrations")).extracting((node) -> node.get("name").asString())
				.containsExactly("aDone", "bFailing", "cLater");
			JsonNode done = list.get("migrations").get(0);
			assertThat(done.get("kind").asString()).isEqualTo("DataMigration");
			assertThat(done.get("dataSource").asString()).isEqualTo("dataSource");
			assertThat(done.get("status").asString()).isEqualTo("COMPLETED");
			assertThat(done.get("rowsProcessed").asLong()).isEqualTo(300);
			assertThat(done.get("batches").asLong()).isEqualTo(3);
			assertThat(done.get("lastKey").asString()).isEqualTo("300");
			assertThat(Instant.parse(done.get("startedAt").asString()))
				.isBeforeOrEqualTo(Instant.parse(done.get("completedAt").asString()));
			assertThat(Instant.parse(done.get("updatedAt").asString())).isNotNull();
			assertThat(done.get("percent").asDouble()).isEqualTo(100.0);
			assertThat(done.get("eta").asString()).isEqualTo("PT0S");
			assertThat(done.get("etaSeconds").asLong()).isZero();
			assertThat(done.get("throttledTime").asString()).isEqualTo("PT0S");
			assertThat(done.get("throttledMillis").asLong()).isZero();
			assertThat(done.get("owners").isArray()).isTrue();
			assertThat(done.get("owners")).isEmpty();
			JsonNode failed = list.get("migrations").get(1);
			assertThat(failed.get("status").asString()).isEqualTo("FAILED");
			assertThat(failed.get("lastKey").asString()).isEqualTo("100");
			assertThat(failed.get("lastError").asString()).contains("boom in batch 2");

			JsonNode one = get(port, "/actuator/backfills/cLater", 200);
			assertThat(one.get("name").asString()).isEqualTo("cLater");
			assertThat(one.get("status").asString()).isEqualTo("PENDING");
			assertThat(one.get("rowsProcessed").asLong()).isZero();
			assertThat(request(port, "GET", "/actuator/backfills/nope", null, null).statusCode()).isEqualTo(404);

			HttpResponse<String> post = request(port, "POST", "/actuator/backfills/cLater", action("pause"), null);
			// Boot maps no write operation at all: the path answers GET only.
			assertThat(post.statusCode()).as("POST while read-only: %s", post.body()).isEqualTo(405);
			System.out.printf("ENDPOINT [%s] GET /actuator/backfills: %s%nENDPOINT [%s] POST while read-only: %d %s%n",
					schema.databaseName(), list, schema.databaseName(), post.statusCode(), post.body());
			assertThat(Tracking.status(schema.jdbc(), "cLater")).as("no row written for the refused POST").isNull();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("h2AndPostgres")
	void onceOpenedPausesResumesRetriesAndRerunsAndSaysWhyAnActionIsRefused(TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema(); Apps apps = new Apps(schema, concat(SECURITY_OFF, OPEN))) {
			int port = apps.port();
			JdbcTemplate jdbc = schema.jdbc();
			HttpResponse<String> unknownAction = request(port, "POST", "/actuator/backfills/aDone", action("explode"),
					null);
			assertThat(unknownAction.statusCode()).isEqualTo(400);
			assertThat(unknownAction.body()).contains("Unknown action 'explode'");
			HttpResponse<String> refused = request(port, "POST", "/actuator/backfills/aDone", action("pause"), null);
			assertThat(refused.statusCode()).isEqualTo(409);
			JsonNode reason = this.json.readTree(refused.body());
			assertThat(reason.get("status").asString()).isEqualTo("COMPLETED");
			assertThat(reason.get("error").asString())
				.isEqualTo("Cannot pause migration 'aDone': it is COMPLETED, and pause needs PENDING or RUNNING");
			assertThat(request(port, "POST", "/actuator/backfills/nope", action("pause"), null).statusCode())
				.isEqualTo(404);

			JsonNode paused = post(port, "cLater", "pause", 200);
			assertThat(paused.get("status").asString()).isEqualTo("PAUSED");
			assertThat(Instant.parse(paused.get("pausedAt").asString())).isNotNull();
			assertThat(Tracking.row(jdbc, "cLater").get("status")).isEqualTo("PAUSED");
			assertThat(post(port, "cLater", "resume", 200).get("status").asString()).isEqualTo("PENDING");
			assertThat(Tracking.row(jdbc, "cLater").get("paused_at")).isNull();

			apps.failing.failAtBatch(-1);
			assertThat(post(port, "bFailing", "retry", 200).get("status").asString()).isEqualTo("PENDING");
			awaitStatus(jdbc, "cLater", "COMPLETED");
			assertThat(Tracking.row(jdbc, "bFailing").get("status")).isEqualTo("COMPLETED");

			assertThat(post(port, "aDone", "rerun", 200).get("rowsProcessed").asLong()).isZero();
			awaitStatus(jdbc, "aDone", "COMPLETED");
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM items WHERE migrated = 2", Integer.class))
				.as("rows migrated by both runs of aDone").isEqualTo(300);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("h2AndPostgres")
	void behindSpringSecurityAnUnauthenticatedPostIsRefusedAndAnAuthenticatedOneRecordsWhoPaused(
			TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema();
				Apps apps = new Apps(schema, new String[] { OPEN, "spring.security.user.name=ops",
						"spring.security.user.password=secret", "spring.security.user.roles=BACKFILL_ADMIN" },
						ActuatorSecurity.class)) {
			int port = apps.port();
			HttpResponse<String> anonymous = request(port, "POST", "/actuator/backfills/cLater", action("pause"),
					null);
			assertThat(anonymous.statusCode()).isEqualTo(401);
			assertThat(Tracking.status(schema.jdbc(), "cLater")).as("no row written for the refused POST").isNull();
			assertThat(request(port, "POST", "/actuator/backfills/cLater", action("pause"), "ops:wrong").statusCode())
				.isEqualTo(401);

			HttpResponse<String> authenticated = request(port, "POST", "/actuator/backfills/cLater", action("pause"),
					"ops:secret");
			assertThat(authenticated.statusCode()).as(authenticated.body()).isEqualTo(200);
			assertThat(this.json.readTree(authenticated.body()).get("pausedBy").asString()).isEqualTo("ops");
			Map<String, Object> row = Tracking.row(schema.jdbc(), "cLater");
			assertThat(row.get("status")).isEqualTo("PAUSED");
			assertThat(row.get("paused_by")).isEqualTo("ops");
		}
	}

	private JsonNode get(int port, String path, int status) throws IOException, InterruptedException {
		HttpResponse<String> response = request(port, "GET", path, null, null);
		assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(status);
		return this.json.readTree(response.body());
	}

	private JsonNode post(int port, String migration, String action, int status)
			throws IOException, InterruptedException {
		HttpResponse<String> response = request(port, "POST", "/actuator/backfills/" + migration, action(action), null);
		assertThat(response.statusCode()).as("%s %s: %s", action, migration, response.body()).isEqualTo(status);
		return this.json.readTree(response.body());
	}

	private HttpResponse<String> request(int port, String method, String path, String body, String credentials)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body)
					: HttpRequest.BodyPublishers.noBody());
		if (body != null) {
			request.header("Content-Type", "application/json");
		}
		if (credentials != null) {
			request.header("Authorization", "Basic "
					+ Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
		}
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

	private static String action(String action) {
		return "{\"action\": \"" + action + "\"}";
	}

	private static void awaitStatus(JdbcTemplate jdbc, String migration, String status) throws InterruptedException {
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (!status.equals(Tracking.status(jdbc, migration))) {
			assertThat(System.nanoTime() - deadline).as("waiting for %s to be %s", migration, status).isNegative();
			Thread.sleep(20);
		}
	}

	private static String[] concat(String[] properties, String... more) {
		List<String> all = new ArrayList<>(List.of(properties));
		all.addAll(List.of(more));
		return all.toArray(String[]::new);
	}

	/**
	 * A web application with three migrations, each in another state once started:
	 * {@code aDone} completed (300 rows), {@code bFailing} failed in its second batch, and
	 * {@code cLater}, after the failed one, not started.
	 */
	private static final class Apps implements AutoCloseable {

		private final RecordingMigration failing = new RecordingMigration("SELECT id FROM items").failAtBatch(2);

		private final ConfigurableApplicationContext app;

		Apps(TestSchema schema, String[] properties, Class<?>... sources) {
			TestTables.createItems(schema.jdbc(), 300);
			RecordingMigration done = new RecordingMigration("SELECT id FROM items").onBatch((rows) -> TestApps
				.applicationJdbc()
				.update("UPDATE items SET migrated = migrated + 1 WHERE id BETWEEN ? AND ?", rows.get(0).get("id"),
						rows.get(rows.size() - 1).get("id")));
			RecordingMigration later = new RecordingMigration("SELECT id FROM items");
			String[] all = concat(properties, "backfill.mode=background", "backfill.batch-size=100",
					"backfill.throttle=0", "backfill.lease-duration=2s", "server.port=0",
					"management.endpoints.web.exposure.include=backfills");
			this.app = TestApps.builder(schema, Map.of("aDone", done, "bFailing", this.failing, "cLater", later), all)
				.sources(sources)
				.web(WebApplicationType.SERVLET)
				.run();
			try {
				awaitStatus(schema.jdbc(), "bFailing", "FAILED");
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

		int port() {
			return Integer.parseInt(this.app.getEnvironment().getProperty("local.server.port"));
		}

		@Override
		public void close() {
			this.app.close();
		}

	}

	/** The README's example: the endpoints behind HTTP Basic, writes for one role only. */
	@Configuration(proxyBeanMethods = false)
	static class ActuatorSecurity {

		@Bean
		SecurityFilterChain actuatorSecurity(HttpSecurity http) throws Exception {
			http.securityMatcher(EndpointRequest.toAnyEndpoint())
				.authorizeHttpRequests((requests) -> requests.requestMatchers(HttpMethod.GET).authenticated()
					.anyRequest()
					.hasRole("BACKFILL_ADMIN"))
				.httpBasic(Customizer.withDefaults())
				// Basic authentication of scripts, no browser session: no CSRF token to send.
				.csrf((csrf) -> csrf.ignoringRequestMatchers(EndpointRequest.toAnyEndpoint()));
			return http.build();
		}

	}

}
