package dev.backfill.sample;

import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;

/**
 * Starts the sample on embedded H2 with a smaller users table ({@code test-users.sql}), in
 * blocking mode and without throttle, so that both migrations have finished when the
 * context is ready.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.sql.init.data-locations=classpath:test-users.sql", "backfill.mode=blocking",
				"backfill.throttle=0" })
class SampleApplicationTests {

	private static final long USERS = 2_500;

	/** Users who signed up (one an hour from 2024-01-01) before the launch on 2024-03-01. */
	private static final long USERS_BEFORE_LAUNCH = 60L * 24 - 1;

	@Autowired
	private JdbcTemplate jdbc;

	@Autowired
	private MeterRegistry registry;

	@LocalServerPort
	private int port;

	@Test
	void emailDomainFillsEveryUsersLowerCasedDomain() {
		assertThat(count("SELECT COUNT(*) FROM users WHERE email_domain IS NULL")).isZero();
		assertThat(this.jdbc.queryForList("SELECT DISTINCT email_domain FROM users ORDER BY email_domain",
				String.class))
			.containsExactly("corp.example.net", "example.com", "example.dev", "mail.example.org");
		assertThat(this.jdbc.queryForObject("SELECT email_domain FROM users WHERE id = 2", String.class))
			.isEqualTo("corp.example.net");
	}

	@Test
	void onboardingStepSkipsUsersFromBeforeTheLaunchAndWelcomesTheRest() {
		assertThat(count("SELECT COUNT(*) FROM users WHERE onboarding_step IS NULL")).isZero();
		assertThat(count("SELECT COUNT(*) FROM users WHERE onboarding_step = 'SKIPPED'"))
			.isEqualTo(USERS_BEFORE_LAUNCH);
		assertThat(count("SELECT COUNT(*) FROM users WHERE onboarding_step = 'WELCOME'"))
			.isEqualTo(USERS - USERS_BEFORE_LAUNCH);
	}

	@Test
	void bothMigrationsAreCompletedInTheTrackingTableAfterBatchesOfTheirOwnSize() {
		List<Map<String, Object>> rows = this.jdbc
			.queryForList("SELECT name, status, rows_processed, batches FROM backfill_migrations ORDER BY name");
		assertThat(rows).extracting((row) -> row.get("name")).containsExactly("emailDomain", "onboardingStep");
		assertThat(rows).allSatisfy((row) -> {
			assertThat(row.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(USERS);
		});
		// backfill.batch-size (1000) for emailDomain, its own config() (2000) for onboardingStep.
		assertThat(rows).extracting((row) -> ((Number) row.get("batches")).longValue()).containsExactly(3L, 2L);
	}

	@Test
	void backfillRowsCounterCountsEveryUserOncePerMigration() {
		for (String migration : List.of("emailDomain", "onboardingStep")) {
			assertThat(this.registry.get("backfill.rows").tag("migration", migration).counter().count())
				.isEqualTo(USERS);
		}
	}

	@Test
	void actuatorMetricsEndpointServesBackfillRowsPerMigration() {
		Map<?, ?> metric = RestClient.create("http://localhost:" + this.port)
			.get()
			.uri("/actuator/metrics/backfill.rows?tag=migration:emailDomain")
			.retrieve()
			.body(Map.class);
		assertThat(metric.get("measurements")).asInstanceOf(LIST)
			.singleElement()
			.isEqualTo(Map.of("statistic", "COUNT", "value", (double) USERS));
	}

	@Test
	void migrationsEndpointListsTheTrackingRows() {
		List<Map<String, Object>> migrations = RestClient.create("http://localhost:" + this.port)
			.get()
			.uri("/migrations")
			.retrieve()
			.body(new ParameterizedTypeReference<>() {
			});
		assertThat(migrations).extracting((row) -> row.get("name"), (row) -> row.get("status"))
			.containsExactly(tuple("emailDomain", "COMPLETED"), tuple("onboardingStep", "COMPLETED"));
	}

	@Test
	void backfillsEndpointListsBothMigrationsAndItsWritesAreOpen() {
		RestClient client = RestClient.create("http://localhost:" + this.port);
		Map<?, ?> backfills = client.get().uri("/actuator/backfills").retrieve().body(Map.class);
		assertThat(backfills.get("migrations")).asInstanceOf(LIST)
			.extracting((migration) -> ((Map<?, ?>) migration).get("name"),
					(migration) -> ((Map<?, ?>) migration).get("status"))
			.containsExactly(tuple("emailDomain", "COMPLETED"), tuple("onboardingStep", "COMPLETED"));
		// Open writes answer why a completed migration cannot be paused; closed ones would not exist.
		ResponseEntity<Map> refused = client.post()
			.uri("/actuator/backfills/onboardingStep")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("action", "pause"))
			.retrieve()
			.onStatus((status) -> true, (request, response) -> {
			})
			.toEntity(Map.class);
		assertThat(refused.getStatusCode().value()).isEqualTo(409);
		assertThat(refused.getBody().get("status")).isEqualTo("COMPLETED");
	}

	private long count(String sql) {
		return this.jdbc.queryForObject(sql, Long.class);
	}

}
