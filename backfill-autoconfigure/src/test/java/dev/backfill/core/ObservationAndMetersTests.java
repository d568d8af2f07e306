package dev.backfill.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.backfill.BackfillThrottle;
import dev.backfill.ThrottleDecision;
import dev.backfill.autoconfigure.BackfillApplicationRunner;
import dev.backfill.metrics.BackfillGauges;
import dev.backfill.observation.BackfillBatchContext;
import dev.backfill.observation.DefaultBackfillBatchObservationConvention;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.TransientDataAccessResourceException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The observation of each batch (keys, outcome, a replaceable convention), the gauges of
 * progress and of migrations by status, and the Prometheus names of every meter, scraped
 * from a real {@link PrometheusMeterRegistry}.
 */
class ObservationAndMetersTests {

	private static final String OBSERVATION_AUTO_CONFIGURATION = "org.springframework.boot.micrometer.observation."
			+ "autoconfigure.ObservationAutoConfiguration";

	@Test
	void eachAttemptAtABatchIsObservedWithItsMigrationOutcomeAndNumber() throws Exception {
		TestObservationRegistry observations = TestObservationRegistry.create();
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items").failAtBatch(2);
			try (ConfigurableApplicationContext app = TestApps
				.builder(schema, Map.of("items", migration), "backfill.batch-size=100", "backfill.throttle=0",
						"backfill.mode=background")
				.initializers((context) -> context.getBeanFactory().registerSingleton("observationRegistry", observations))
				.run()) {
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
			}
		}
		TestObservationRegistryAssert.assertThat(observations)
			.hasNumberOfObservationsWithNameEqualTo("backfill.batch", 2)
			.hasAnObservation((observation) -> observation.hasNameEqualTo("backfill.batch")
				.hasContextualNameEqualTo("backfill batch items")
				.hasLowCardinalityKeyValue("migration", "items")
				.hasLowCardinalityKeyValue("outcome", "success")
				.hasHighCardinalityKeyValue("batch", "1")
				.doesNotHaveError())
			.hasAnObservation((observation) -> observation.hasNameEqualTo("backfill.batch")
				.hasLowCardinalityKeyValue("migration", "items")
				.hasLowCardinalityKeyValue("outcome", "failure")
				.hasHighCardinalityKeyValue("batch", "2")
				.hasError());
	}

	@Test
	void conventionBeanReplacesTheDefaultConvention() throws Exception {
		TestObservationRegistry observations = TestObservationRegistry.create();
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			try (ConfigurableApplicationContext app = TestApps
				.builder(schema, Map.of("items", new RecordingMigration("SELECT id FROM items")),
						"backfill.batch-size=100", "backfill.throttle=0")
				.initializers((context) -> {
					context.getBeanFactory().registerSingleton("observationRegistry", observations);
					context.getBeanFactory().registerSingleton("teamConvention", new TeamConvention());
				})
				.run()) {
				assertThat(app.getBean(MeterRegistry.class)).isNotNull();
			}
		}
		TestObservationRegistryAssert.assertThat(observations)
			.hasNumberOfObservationsWithNameEqualTo("team.backfill.batch", 3)
			.hasNumberOfObservationsWithNameEqualTo("backfill.batch", 0)
			.forAllObservationsWithNameEqualTo("team.backfill.batch",
					(observation) -> observation.hasLowCardinalityKeyValue("team", "data")
						.hasLowCardinalityKeyValue("migration", "items")
						.hasLowCardinalityKeyValue("outcome", "success"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void gaugesShowProgressOfOneAtCompletionAndMigrationsByStatus(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			Map<String, RecordingMigration> migrations = new LinkedHashMap<>();
			migrations.put("items", new RecordingMigration("SELECT id FROM items"));
			migrations.put("later", new RecordingMigration("SELECT id FROM items"));
			try (ConfigurableApplicationContext app = TestApps.run(schema, migrations, "backfill.batch-size=100",
					"backfill.throttle=0", "backfill.migrations.later.enabled=false")) {
				MeterRegistry meters = app.getBean(MeterRegistry.class);
				assertThat(meters.get(BackfillGauges.PROGRESS).tag("migration", "items").gauge().value()).isEqualTo(1.0);
				assertThat(meters.get(BackfillGauges.PROGRESS).tag("migration", "later").gauge().value()).isZero();
				assertThat(meters.get(BackfillGauges.MIGRATIONS).tag("status", "COMPLETED").gauge().value())
					.isEqualTo(1.0);
				assertThat(meters.get(BackfillGauges.MIGRATIONS).tag("status", "PENDING").gauge().value())
					.isEqualTo(1.0);
				assertThat(meters.get(BackfillGauges.MIGRATIONS).tag("status", "FAILED").gauge().value()).isZero();
			}
		}
	}

	@Test
	void prometheusNamesOfEveryMeterWithTheBatchTimerFromTheObservation() throws Exception {
		String scrape = scrape(true);
		write("with-observation", scrape);
		assertThat(scrape).contains("backfill_rows_total{migration=\"items\"} 300.0")
			.contains("backfill_batch_seconds_count{error=\"none\",migration=\"items\",outcome=\"success\"} 3")
			.contains("backfill_batch_seconds_count{error=\"TransientDataAccessResourceException\",migration=\"items\","
					+ "outcome=\"failure\"} 1")
.contains("backfill_batch_seconds_sum{")
			.contains("backfill_batch_seconds_bucket{error=\"none\",migration=\"items\",outcome=\"success\",le=\"+Inf\"} 3")
			.contains("backfill_batch_seconds_max{")
			.contains("backfill_batch_active_seconds_count{migration=\"items\",outcome=\"unknown\"} 0")
			.contains("backfill_batch_retries_total{exception=\"TransientDataAccessResourceException\",migration=\"items\"} 1.0")
			.contains("backfill_batch_size_rows{migration=\"items\"} 100.0")
			.contains("backfill_throttled_total{migration=\"items\",reason=\"busy\"} 1.0")
			.contains("backfill_throttled_time_seconds_count{migration=\"items\"} 1")
			.contains("backfill_throttled_time_seconds_sum{migration=\"items\"}")
			.contains("backfill_throttled_time_seconds_max{migration=\"items\"}")
			.contains("backfill_progress{migration=\"items\"} 1.0")
			.contains("backfill_migrations{status=\"COMPLETED\"} 1.0")
			.contains("backfill_migrations{status=\"PAUSED\"} 0.0");
	}

	@Test
	void withoutAnObservationRegistryTheBatchTimerKeepsItsTwoTags() throws Exception {
		String scrape = scrape(false, "spring.autoconfigure.exclude=" + OBSERVATION_AUTO_CONFIGURATION);
		write("without-observation", scrape);
		assertThat(scrape).contains("backfill_batch_seconds_count{migration=\"items\",outcome=\"success\"} 3")
			.contains("backfill_batch_seconds_count{migration=\"items\",outcome=\"failure\"} 1")
.doesNotContain("error=")
			.doesNotContain("_bucket")
			.doesNotContain("backfill_batch_active");
	}

	/**
	 * A run of three batches with one transient failure and one throttle wait, scraped,
	 * with percentile histograms of {@code backfill.batch} or without.
	 */
	private static String scrape(boolean histogram, String... properties) throws Exception {
		PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
		if (histogram) {
			prometheus.config().meterFilter(new MeterFilter() {
				@Override
				public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
					return id.getName().equals("backfill.batch")
							? DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config)
							: config;
				}
			});
		}
		AtomicBoolean failed = new AtomicBoolean();
		AtomicInteger waits = new AtomicInteger();
		BackfillThrottle busy = (context) -> (context.recentBatchDurations().size() == 1
				&& waits.getAndIncrement() == 0) ? ThrottleDecision.waitFor(Duration.ofMillis(50), "busy")
						: ThrottleDecision.go();
		RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
		migration.onBatch((rows) -> {
			if (migration.batches().size() == 2 && failed.compareAndSet(false, true)) {
				throw new TransientDataAccessResourceException("flaky");
			}
		});
		String[] all = new String[properties.length + 3];
		all[0] = "backfill.batch-size=100";
		all[1] = "backfill.throttle=0";
		all[2] = "backfill.retry.initial-backoff=1ms";
		System.arraycopy(properties, 0, all, 3, properties.length);
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			try (ConfigurableApplicationContext app = TestApps.builder(schema, Map.of("items", migration), all)
				.initializers((context) -> {
					context.getBeanFactory().registerSingleton("prometheusMeterRegistry", prometheus);
					context.getBeanFactory().registerSingleton("busyThrottle", busy);
				})
				.run()) {
				return prometheus.scrape();
			}
		}
	}

	/** Keeps the scrape for the README's meter table. */
	private static void write(String name, String scrape) throws Exception {
		Path file = Path.of("target", "prometheus-" + name + ".txt");
		Files.writeString(file, scrape);
	}

	/** An application's own convention: another name and one more key. */
	static class TeamConvention extends DefaultBackfillBatchObservationConvention {

		@Override
		public String getName() {
			return "team.backfill.batch";
		}

		@Override
		public KeyValues getLowCardinalityKeyValues(BackfillBatchContext context) {
			return super.getLowCardinalityKeyValues(context).and(KeyValue.of("team", "data"));
		}

	}

}
