package dev.backfill.resilience;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import com.zaxxer.hikari.HikariDataSource;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.internal.store.SqlDialect;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import static dev.backfill.resilience.Waiting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** Several instances of one application on one database at the same time. */
class ConcurrentInstancesTests {

	private static final int ROWS = 30_000;

	private static final int BATCH_SIZE = 500;

	/**
	 * Between the starts of two instances creating the tracking table: spread over the time a
	 * CREATE takes, some instances check for the table just before the first commits it,
	 * which is when PostgreSQL's "already exists" errors happen; the ones starting together
	 * meet the first on its catalog's unique index instead.
	 */
	private static final long STAGGER_NANOS = 500_000;

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void threeInstancesStartedAtOnceCommitEachBatchOnceAndNeverRunBatchesAtTheSameTime(TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS);
				FixtureProcesses apps = new FixtureProcesses(db, "three");
				TrackingSampler tracking = TrackingSampler.start(db)) {
			String[] properties = { "backfill.batch-size=" + BATCH_SIZE, "backfill.throttle=20ms",
					"fixture.hold=20ms", "backfill.lease-duration=3s" };
			for (int i = 0; i < 3; i++) {
				apps.start(properties);
			}
			// One runs while the other two wait; stopping the runner hands over to a waiting one,
			// twice, so that all three commit batches.
			List<FixtureProcess> handedOver = new ArrayList<>();
			for (int handover = 0; handover < 2; handover++) {
				long from = tracking.batches();
				await("an instance not yet stopped to commit 10 batches", Duration.ofSeconds(60), null, () -> {
					FixtureProcess owner = apps.owning(tracking.leaseOwner());
					return owner != null && !handedOver.contains(owner) && tracking.batches() >= from + 10;
				});
				FixtureProcess owner = apps.owning(tracking.leaseOwner());
				owner.terminate();
				owner.awaitExit(Duration.ofSeconds(20));
				handedOver.add(owner);
			}
			for (FixtureProcess app : apps.all()) {
				if (!handedOver.contains(app)) {
					assertThat(app.awaitExit(Duration.ofSeconds(60))).as("exit code of %s", app).isZero();
				}
			}

			db.assertEveryRowMigratedExactlyOnce();
			List<FixtureDatabase.Batch> batches = db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
			Set<String> owners = batches.stream().map(FixtureDatabase.Batch::owner).collect(Collectors.toSet());
			assertThat(owners).hasSize(3);
			for (FixtureProcess app : apps.all()) {
				assertThat(owners).anyMatch(app::owns);
			}
			int samples = tracking.assertCheckpointNeverMovedBackwards();
			System.out.printf("RESILIENCE [%s] three instances: %d batches of %d rows committed once each by %d "
					+ "owners (%s), no two owners' batches overlapping in time, every counter 1, checkpoint "
					+ "monotonic over %d samples%n", db.databaseName(), batches.size(), BATCH_SIZE, owners.size(),
					owners.stream()
						.map((owner) -> owner + "=" + batches.stream().filter((b) -> b.owner().equals(owner)).count())
						.collect(Collectors.joining(", ")),
					samples);
		}
	}

	/**
	 * Replicas of a new deployment starting together on a fresh database: each sends its
	 * {@code CREATE TABLE IF NOT EXISTS} at the same moment, on a connection of its own.
	 * Before the fix PostgreSQL failed all but one of them, in some rounds, with a unique
	 * violation on {@code pg_type}, {@code type "…" already exists} (42710) or
	 * {@code relation "…" already exists} (42P07). Fixed by a re-check in
	 * {@link MigrationStore#createTableIfMissing()}; this test repeats enough rounds to fail
	 * without it.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void instancesStartingAtOnceAllCreateTheTrackingTableWithoutFailing(TestDatabase database) throws Exception {
		int instances = 8;
		int rounds = 150;
		Map<String, Integer> failures = new TreeMap<>();
		try (FixtureDatabase db = FixtureDatabase.create(database, 0);
				HikariDataSource dataSource = db.schema().newDataSource(instances)) {
			SqlDialect dialect = MigrationDatabase.dialectOf(dataSource);
			ExecutorService executor = Executors.newFixedThreadPool(instances);
			try {
				for (int round = 1; round <= rounds; round++) {
					String table = "tracking_" + round;
					CyclicBarrier start = new CyclicBarrier(instances);
					List<Future<?>> creations = new ArrayList<>();
					for (int i = 0; i < instances; i++) {
						long delay = i * STAGGER_NANOS;
						creations.add(executor.submit(() -> {
							try (Connection connection = dataSource.getConnection()) {
								MigrationStore store = new MigrationStore(
										new SingleConnectionDataSource(connection, true), dialect, table);
								start.await(10, TimeUnit.SECONDS);
								LockSupport.parkNanos(delay);
								store.createTableIfMissing();
							}
							return null;
						}));
					}
					for (Future<?> creation : creations) {
						try {
							creation.get(30, TimeUnit.SECONDS);
						}
						catch (ExecutionException ex) {
							failures.merge(errorForm(ex.getCause()), 1, Integer::sum);
						}
					}
					assertThat(db.schema().jdbc().queryForObject("SELECT COUNT(*) FROM " + table, Integer.class))
						.isZero();
				}
			}
			finally {
				executor.shutdownNow();
			}
			System.out.printf("RESILIENCE [%s] tracking table created by %d instances at once, %d times: "
					+ "failures %s%n", db.databaseName(), instances, rounds, failures);
			assertThat(failures).as("failed creations by error").isEmpty();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aTrackingTableThatCannotBeCreatedFailsWithTheDatabasesError(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			// A plain identifier but a reserved word: the CREATE fails and no table is there.
			MigrationStore store = new MigrationStore(schema.dataSource(),
					MigrationDatabase.dialectOf(schema.dataSource()), "select");
			assertThatExceptionOfType(BadSqlGrammarException.class).isThrownBy(store::createTableIfMissing)
				.withMessageContaining("CREATE TABLE IF NOT EXISTS select");
		}
	}

	private static String errorForm(Throwable failure) {
		Throwable cause = failure;
		while (cause.getCause() != null && !(cause instanceof SQLException)) {
			cause = cause.getCause();
		}
		String message = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
		return (cause instanceof SQLException sql) ? sql.getSQLState() + " " + message.replaceAll("\\d+", "N")
				: failure.toString();
	}

}
