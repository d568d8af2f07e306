package dev.backfill.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

import dev.backfill.autoconfigure.BackfillApplicationRunner;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.testsupport.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;

import static dev.backfill.resilience.Waiting.await;
import static dev.backfill.resilience.Waiting.pause;
import static org.assertj.core.api.Assertions.assertThat;

/** The database server ends the connections of a running migration, again and again. */
class ConnectionLossTests {

	private static final int ROWS = 50_000;

	private static final int ROUNDS = 6;

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void completesWithEveryRowOnceWhileItsConnectionsAreTerminatedAgainAndAgain(TestDatabase database)
			throws InterruptedException {
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS);
				TrackingSampler tracking = TrackingSampler.start(db)) {
			String tag = FixtureDatabase.newTag();
			List<String> arguments = new ArrayList<>();
			db.dataSourceProperties(tag).forEach((property) -> arguments.add("--" + property));
			arguments.addAll(List.of("--backfill.mode=background", "--backfill.batch-size=500",
					"--backfill.throttle=20ms", "--fixture.hold=20ms", "--backfill.lease-duration=3s",
					"--logging.level.com.zaxxer.hikari=OFF",
					"--logging.level.org.springframework.transaction.support.TransactionTemplate=OFF"));
			try (ConfigurableApplicationContext app = FixtureApplication.application()
				.run(arguments.toArray(String[]::new))) {
				MeterRegistry registry = app.getBean(MeterRegistry.class);
				await("5 batches committed", Duration.ofSeconds(30), null, () -> tracking.batches() >= 5);
				int terminated = 0;
				int rounds = 0;
				int roundsRetried = 0;
				while (rounds < ROUNDS) {
					double retriesBefore = retries(registry);
					long batchesBefore = tracking.batches();
					int round = db.terminateConnections(tag);
					assertThat(round).as("connections of the application terminated in round %d", rounds + 1)
						.isPositive();
					terminated += round;
					rounds++;
					// A loss costs the batch in flight (or the next one) an attempt, which is retried;
					// only one that strikes just after a commit goes unnoticed, as the connection is
					// then merely reset, and the run goes on. The next round waits for a batch committed
					// after this one: rounds striking one batch's every retry (CI once saw five in a
					// row on a slow host) would exhaust its attempts by construction.
					await("the run to go on after round " + rounds, Duration.ofSeconds(30), null,
							() -> (retries(registry) > retriesBefore && tracking.batches() > batchesBefore)
									|| tracking.batches() >= batchesBefore + 3);
					if (retries(registry) > retriesBefore) {
						roundsRetried++;
					}
					assertThat(db.tracking().get("status")).as("status after round %d", rounds).isEqualTo("RUNNING");
					pause(Duration.ofMillis(100 + ThreadLocalRandom.current().nextInt(200)));
				}
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();

				db.assertEveryRowMigratedExactlyOnce();
				db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
				int samples = tracking.assertCheckpointNeverMovedBackwards();
				double retries = retries(registry);
				assertThat(retries).as("batch retries").isPositive();
				System.out.printf("RESILIENCE [%s] connection loss: %d rounds, %d connections terminated by the "
						+ "server, %d rounds followed by a retry, %.0f batch retries %s, %d rows each migrated exactly "
						+ "once, status COMPLETED, checkpoint monotonic over %d samples%n", db.databaseName(), rounds,
						terminated, roundsRetried, retries, retriesByException(registry), ROWS, samples);
			}
		}
	}

	private static double retries(MeterRegistry registry) {
		return registry.find(MicrometerMigrationListener.RETRIES).counters().stream().mapToDouble(Counter::count).sum();
	}

	private static Map<String, Long> retriesByException(MeterRegistry registry) {
		Map<String, Long> retries = new TreeMap<>();
		registry.find(MicrometerMigrationListener.RETRIES)
			.counters()
			.forEach((counter) -> retries.merge(counter.getId().getTag("exception"), (long) counter.count(),
					Long::sum));
		return retries;
	}

}
