package dev.backfill.sample.dashboard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.backfill.sample.dashboard.Dashboard.Panel;
import dev.backfill.sample.dashboard.Dashboard.Target;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Checks {@code dashboards/backfill.json} against a real Prometheus scrape of the sample
 * (its {@code /actuator/prometheus}, after its migrations and {@link DashboardDemoConfiguration}'s
 * have run, with a throttle wait and retries among them): every metric and label the
 * dashboard queries exists, every query returns series, and every query of a meter tagged
 * {@code migration} filters on the {@code $migration} variable.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.sql.init.data-locations=classpath:test-users.sql", "backfill.mode=blocking",
				"backfill.throttle=0", "backfill.retry.initial-backoff=10ms" })
@Import(DashboardDemoConfiguration.class)
class DashboardScrapeTests {

	private final Dashboard dashboard = Dashboard.read();

	@LocalServerPort
	private int port;

	private final List<Scrape> scrapes = new ArrayList<>();

	@BeforeEach
	void scrapeTwice() {
		// Two scrapes, so that rate() and increase() have two samples in their window.
		this.scrapes.add(scrape());
		this.scrapes.add(scrape());
	}

	@Test
	void everyMetricTheDashboardQueriesIsInTheScrape() {
		Set<String> queried = new TreeSet<>();
		for (Panel panel : this.dashboard.panels()) {
			for (Target target : panel.targets()) {
				queried.addAll(PromQl.metricNames(target.query("1m")));
			}
		}
		queried.add(migrationVariableMetric());
		assertThat(queried).contains("backfill_rows_total", "backfill_batch_seconds_bucket",
				"backfill_batch_retries_total", "backfill_throttled_total", "backfill_batch_size_rows", "backfill_progress",
				"backfill_migrations", "backfill_workers");
		assertThat(this.scrapes.get(1).names()).containsAll(queried);
	}

	@Test
	void everyQueryReturnsSeriesWithTheLabelsItsLegendNames() {
		for (Panel panel : this.dashboard.panels()) {
			for (Target target : panel.targets()) {
				List<PromQl.Series> vector = target.query("1m").evaluate(this.scrapes, 1);
				assertThat(vector).as("series of %s in panel '%s'", target.expr(), panel.title()).isNotEmpty();
				for (String label : target.legendLabels()) {
					assertThat(vector).as("label %s of %s in panel '%s'", label, target.expr(), panel.title())
						.allSatisfy((series) -> assertThat(series.labels().get(label)).isNotBlank());
				}
			}
		}
	}

	@Test
	void everyQueryOfAMeterTaggedWithMigrationFiltersOnTheMigrationVariable() {
		Set<String> taggedWithMigration = new HashSet<>();
		this.scrapes.get(1)
			.samples()
			.stream()
			.filter((sample) -> sample.labels().containsKey("migration"))
			.forEach((sample) -> taggedWithMigration.add(sample.name()));
		for (Panel panel : this.dashboard.panels()) {
			for (Target target : panel.targets()) {
				for (PromQl.Selector selector : PromQl.selectors(target.query("1m"))) {
					if (taggedWithMigration.contains(selector.metric())) {
						assertThat(selector.filters("migration")).as("%s in panel '%s'", selector, panel.title())
							.isTrue();
					}
				}
			}
		}
	}

	@Test
	void migrationVariableListsEveryMigrationThatRan() {
		String metric = migrationVariableMetric();
		Set<String> migrations = new TreeSet<>();
		this.scrapes.get(1)
			.samples()
			.stream()
			.filter((sample) -> sample.name().equals(metric))
			.forEach((sample) -> migrations.add(sample.labels().get("migration")));
		assertThat(migrations).containsExactly("emailDomain", DashboardDemoConfiguration.FLAKY_MIGRATION,
				"onboardingStep");
	}

	private String migrationVariableMetric() {
		String query = this.dashboard.variable("migration").path("query").path("query").asString("");
		Matcher labelValues = Pattern.compile("label_values\\((\\w+), migration\\)").matcher(query);
		assertThat(labelValues.matches()).as("migration variable query %s", query).isTrue();
		return labelValues.group(1);
	}

	private Scrape scrape() {
		String text = RestClient.create("http://localhost:" + this.port)
			.get()
			.uri("/actuator/prometheus")
			.retrieve()
			.body(String.class);
		return Scrape.parse(Instant.now(), text);
	}

}
