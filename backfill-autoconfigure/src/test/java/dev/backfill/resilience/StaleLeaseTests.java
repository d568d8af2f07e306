package dev.backfill.resilience;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.backfill.DataMigrationException;
import dev.backfill.autoconfigure.BackfillApplicationRunner;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.testsupport.TestDatabase;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A start that finds the tracking row RUNNING under another instance's lease: one that
 * vanished (lease expired) or one that runs (lease valid).
 */
@ExtendWith(OutputCaptureExtension.class)
class StaleLeaseTests {

	private static final int ROWS = 5000;

	private static final int BATCH_SIZE = 100;

	private static final String DEAD_OWNER = "12345@vanished-host#deadbeef";

	private static final String LIVE_OWNER = "4242@other-host#cafebabe";

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void runningRowWhoseLeaseExpiredIsTakenOverAtStartupWithoutWaiting(TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS)) {
			db.leaveRunningRow(DEAD_OWNER, 10, BATCH_SIZE, Duration.ofSeconds(-30));
			long started = System.nanoTime();
			// A lock wait timeout of 0: any wait for the dead owner would fail the start.
			try (ConfigurableApplicationContext app = start(db, "backfill.mode=blocking",
					"backfill.lock-wait-timeout=0s")) {
				long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
				db.assertEveryRowMigratedExactlyOnce();
				List<FixtureDatabase.Batch> batches = db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
				assertThat(batches.get(10).firstId()).isEqualTo(10L * BATCH_SIZE + 1);
				assertThat(batches.subList(10, batches.size())).extracting(FixtureDatabase.Batch::owner)
					.containsOnly(app.getBean(BackfillRunner.class).owner());
				System.out.printf("RESILIENCE [%s] stale lease: RUNNING row of vanished %s (lease expired 30 s ago) "
						+ "taken over at startup, resumed after key %d and completed in %d ms with a lock wait "
						+ "timeout of 0%n", db.databaseName(), DEAD_OWNER, 10L * BATCH_SIZE, millis);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void unexpiredForeignLeaseFailsABlockingStartAfterTheLockWaitTimeoutNamingMigrationAndOwner(
			TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS)) {
			db.leaveRunningRow(LIVE_OWNER, 10, BATCH_SIZE, Duration.ofHours(1));
			Map<String, Object> before = db.tracking();
			long started = System.nanoTime();
			Throwable failure = catchThrowable(
					() -> start(db, "backfill.mode=blocking", "backfill.lock-wait-timeout=2s").close());
			Duration waited = Duration.ofNanos(System.nanoTime() - started);
			DataMigrationException timedOut = rootMigrationException(failure);
			assertThat(timedOut).as("DataMigrationException in %s", failure).isNotNull();
			assertThat(timedOut.getMessage()).contains("'" + FixtureApplication.MIGRATION + "'", LIVE_OWNER,
					"backfill.lock-wait-timeout");
			assertThat(waited).isGreaterThanOrEqualTo(Duration.ofSeconds(2)).isLessThan(Duration.ofSeconds(10));
			assertThat(db.tracking()).isEqualTo(before);
			assertThat(db.migratedRows()).isEqualTo(10L * BATCH_SIZE);
			System.out.printf("RESILIENCE [%s] live foreign lease: blocking start failed after %d ms "
					+ "(lock-wait-timeout 2 s): %s%n", db.databaseName(), waited.toMillis(), timedOut.getMessage());
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void unexpiredForeignLeaseLetsABackgroundStartMoveOnAtOnce(TestDatabase database, CapturedOutput output)
			throws InterruptedException {
		try (FixtureDatabase db = FixtureDatabase.create(database, ROWS)) {
			db.leaveRunningRow(LIVE_OWNER, 10, BATCH_SIZE, Duration.ofHours(1));
			Map<String, Object> before = db.tracking();
			long millis;
			try (ConfigurableApplicationContext app = start(db, "backfill.mode=background",
					"backfill.lock-wait-timeout=1m")) {
				long started = System.nanoTime();
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
				assertThat(millis).as("time the background run spent").isLessThan(5000);
				assertThat(output).contains("Backfill migration '" + FixtureApplication.MIGRATION
						+ "' is being run by another instance; moving on");
			}
			assertThat(db.tracking()).isEqualTo(before);
			assertThat(db.migratedRows()).isEqualTo(10L * BATCH_SIZE);
			System.out.printf("RESILIENCE [%s] live foreign lease: background start moved on in %d ms, tracking row "
					+ "and data untouched%n", db.databaseName(), millis);
		}
	}

	private static ConfigurableApplicationContext start(FixtureDatabase db, String... properties) {
		List<String> arguments = new ArrayList<>();
		db.dataSourceProperties(FixtureDatabase.newTag()).forEach((property) -> arguments.add("--" + property));
		arguments.addAll(List.of("--backfill.batch-size=" + BATCH_SIZE, "--backfill.throttle=0",
				"--backfill.lease-duration=2s"));
		for (String property : properties) {
			arguments.add("--" + property);
		}
		return FixtureApplication.application().run(arguments.toArray(String[]::new));
	}

	private static DataMigrationException rootMigrationException(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof DataMigrationException migrationException) {
				return migrationException;
			}
		}
		return null;
	}

}
