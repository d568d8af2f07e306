package dev.backfill.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.backfill.BackfillThrottle;
import dev.backfill.DataMigrationConfig;
import dev.backfill.MigrationListener;
import dev.backfill.ThrottleContext;
import dev.backfill.ThrottleDecision;
import dev.backfill.autoconfigure.BackfillApplicationRunner;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Throttles asked before each batch: a "wait" pauses the run between batches for that
 * long, a health indicator that is DOWN holds it until UP, the lease outlives a long wait,
 * and shutdown cuts a wait short.
 */
class ThrottleTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final String[] THREE_BATCHES = { "backfill.batch-size=100", "backfill.throttle=0" };

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void throttleAnsweringWaitPausesTheRunForThatTimeAndTheCounterRecordsTheReason(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			List<Integer> recentSizesAsked = Collections.synchronizedList(new ArrayList<>());
			AtomicInteger waits = new AtomicInteger();
			// Before batch 2 (one batch done), once: wait 300 ms.
			BackfillThrottle busy = (context) -> {
				recentSizesAsked.add(context.recentBatchDurations().size());
				return (context.recentBatchDurations().size() == 1 && waits.getAndIncrement() == 0)
						? ThrottleDecision.waitFor(Duration.ofMillis(300), "busy") : ThrottleDecision.go();
			};
			AtomicLong batch1CommittedNanos = new AtomicLong();
			AtomicLong batch2StartedNanos = new AtomicLong();
			MigrationListener commits = new MigrationListener() {
				@Override
				public void batchSucceeded(String migration, int rows, Duration duration) {
					batch1CommittedNanos.compareAndSet(0, System.nanoTime());
				}
			};
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			migration.onBatch((rows) -> {
				if (migration.batches().size() == 2) {
					batch2StartedNanos.set(System.nanoTime());
				}
			});
			double throttled;
			double throttledMillis;
			try (ConfigurableApplicationContext app = TestApps.builder(schema, Map.of("items", migration), THREE_BATCHES)
				.initializers((context) -> {
					context.getBeanFactory().registerSingleton("busyThrottle", busy);
					context.getBeanFactory().registerSingleton("commits", commits);
				})
				.run()) {
				MeterRegistry meters = app.getBean(MeterRegistry.class);
				throttled = meters.get(MicrometerMigrationListener.THROTTLED)
					.tag("migration", "items")
					.tag("reason", "busy")
					.counter()
					.count();
				Timer time = meters.get(MicrometerMigrationListener.THROTTLED_TIME).tag("migration", "items").timer();
				throttledMillis = time.totalTime(TimeUnit.MILLISECONDS);
			}
			assertThat(Duration.ofNanos(batch2StartedNanos.get() - batch1CommittedNanos.get()))
				.as("gap between batch 1's commit and batch 2's start")
				.isGreaterThanOrEqualTo(Duration.ofMillis(300));
			assertThat(throttled).as("backfill.throttled{reason=busy}").isEqualTo(1);
			assertThat(throttledMillis).as("backfill.throttled.time in ms").isGreaterThanOrEqualTo(300);
			// Asked before each batch, and again after the wait; batch 3 sees two durations.
			assertThat(recentSizesAsked).containsExactly(0, 1, 1, 2);
			assertCompletedInThreeBatchesEachRowOnce(schema, migration);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void healthIndicatorGoingDownPausesTheRunAndGoingUpResumesIt(TestDatabase database) {
		assumeHealthSupport();
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			Gate gate = new Gate(migration, 3);
			// DOWN once batch 1 is written: batch 2 must wait for UP.
			migration.onBatch((rows) -> {
				if (migration.batches().size() == 1) {
					gate.down();
				}
			});
			double throttled;
			// The throttle between batches (50ms) outlasts the check interval (20ms): the
			// indicator is asked afresh before batch 2.
			try (ConfigurableApplicationContext app = TestApps
				.builder(schema, Map.of("items", migration), "backfill.batch-size=100", "backfill.throttle=50ms",
						"backfill.throttle-on.health-indicators=gate", "backfill.throttle-on.check-interval=20ms")
				.initializers((context) -> context.getBeanFactory().registerSingleton("gateHealthIndicator", gate))
				.run()) {
				throttled = app.getBean(MeterRegistry.class)
					.get(MicrometerMigrationListener.THROTTLED)
					.tag("migration", "items")
					.tag("reason", "health:gate")
					.counter()
					.count();
			}
			assertThat(gate.batchesSeenWhileDown).as("batches done whenever the indicator was asked while DOWN")
				.containsExactly(1, 1, 1);
			assertThat(throttled).as("backfill.throttled{reason=health:gate}").isEqualTo(3);
			assertCompletedInThreeBatchesEachRowOnce(schema, migration);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void throttleWaitLongerThanTheLeaseKeepsTheLease(TestDatabase database) throws Exception {
		Duration lease = Duration.ofSeconds(2);
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			CountDownLatch holding = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			// Holds batch 2 back, in short waits, until the test releases it.
			BackfillThrottle hold = (context) -> {
				if (context.recentBatchDurations().size() != 1 || release.getCount() == 0) {
					return ThrottleDecision.go();
				}
				holding.countDown();
				return ThrottleDecision.waitFor(Duration.ofMillis(100), "hold");
			};
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			MigrationStore store = MigrationDatabase.of(schema.dataSource(), "backfill_migrations").store();
			try (ConfigurableApplicationContext app = TestApps
				.builder(schema, Map.of("items", migration), "backfill.batch-size=100", "backfill.throttle=0",
						"backfill.mode=background", "backfill.lease-duration=" + lease.toMillis() + "ms")
				.initializers((context) -> context.getBeanFactory().registerSingleton("holdThrottle", hold))
				.run()) {
				assertThat(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("batch 2 held back").isTrue();
				String owner = (String) Tracking.row(schema.jdbc(), "items").get("lease_owner");
				// For two and a half leases since the last checkpoint, another instance tries
				// to take the migration over: the heartbeat must have kept the lease.
				long until = System.nanoTime() + lease.multipliedBy(5).dividedBy(2).toNanos();
				int attempts = 0;
				while (System.nanoTime() < until) {
					assertThat(store.tryAcquire("items", "intruder", lease)).as("takeover attempt %d", attempts)
						.isFalse();
					attempts++;
					Thread.sleep(100);
				}
				assertThat(migration.batches()).as("batches while held").hasSize(1);
				assertThat(Tracking.row(schema.jdbc(), "items").get("lease_owner")).isEqualTo(owner);
				release.countDown();
				assertTimeoutPreemptively(WAIT, () -> app.getBean(BackfillApplicationRunner.class).awaitCompletion());
			}
			assertCompletedInThreeBatchesEachRowOnce(schema, migration);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void shutdownDuringAThrottleWaitStopsPromptlyAndLeavesTheMigrationResumable(TestDatabase database)
			throws Exception {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			CountDownLatch waiting = new CountDownLatch(1);
			BackfillThrottle maintenance = (context) -> {
				if (context.recentBatchDurations().isEmpty()) {
					return ThrottleDecision.go();
				}
				waiting.countDown();
				return ThrottleDecision.waitFor(Duration.ofHours(1), "maintenance");
			};
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			ConfigurableApplicationContext app = TestApps
				.builder(schema, Map.of("items", migration), "backfill.batch-size=100", "backfill.throttle=0",
						"backfill.mode=background")
				.initializers((context) -> context.getBeanFactory().registerSingleton("maintenance", maintenance))
				.run();
			try {
				assertThat(waiting.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("throttle asked to wait").isTrue();
				BackfillApplicationRunner runner = app.getBean(BackfillApplicationRunner.class);
				// Well within the hour the throttle asked for.
				assertTimeoutPreemptively(WAIT, () -> {
					app.close();
					runner.awaitCompletion();
				});
			}
			finally {
				app.close();
			}
			assertThat(migration.batches()).hasSize(1);
			Map<String, Object> row = Tracking.row(schema.jdbc(), "items");
			assertThat(row.get("status")).isEqualTo("PENDING");
			assertThat(((Number) row.get("batches")).intValue()).isEqualTo(1);
			assertThat(row.get("lease_owner")).isNull();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void throttleThatThrowsFailsTheMigrationNamingTheThrottleAndTheBatch(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			BackfillThrottle broken = new BackfillThrottle() {
				@Override
				public ThrottleDecision decide(ThrottleContext context) {
					if (context.recentBatchDurations().isEmpty()) {
						return ThrottleDecision.go();
					}
					throw new IllegalStateException("probe unreachable");
				}

				@Override
				public String toString() {
					return "brokenThrottle";
				}
			};
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			assertThatNoException().isThrownBy(() -> {
				try (ConfigurableApplicationContext app = TestApps
					.builder(schema, Map.of("items", migration), "backfill.batch-size=100", "backfill.throttle=0",
							"backfill.mode=background")
					.initializers((context) -> context.getBeanFactory().registerSingleton("broken", broken))
					.run()) {
					app.getBean(BackfillApplicationRunner.class).awaitCompletion();
				}
			});
			assertThat(migration.batches()).hasSize(1);
			Map<String, Object> row = Tracking.row(schema.jdbc(), "items");
			assertThat(row.get("status")).isEqualTo("FAILED");
			assertThat(((Number) row.get("batches")).intValue()).isEqualTo(1);
			assertThat((String) row.get("last_error")).isEqualTo("Migration 'items' failed before batch 2: throttle "
					+ "brokenThrottle failed: IllegalStateException: probe unreachable");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void replicationLagThrottleRunsOnEveryDatabaseAndNeverHoldsBatchesOnAPrimaryWithoutReplicas(
			TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 300);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().batchSize(100).throttle(Duration.ZERO).build());
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("items", migration),
					"backfill.throttle-on.replication-lag=1ms", "backfill.throttle-on.check-interval=1ms")) {
				assertThat(app.getBean(MeterRegistry.class).find(MicrometerMigrationListener.THROTTLED).counters())
					.isEmpty();
			}
			assertCompletedInThreeBatchesEachRowOnce(schema, migration);
		}
	}

	@Test
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	void healthIndicatorThatDoesNotExistFailsStartupNamingThePropertyAndTheName() {
		assumeHealthSupport();
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			Throwable failure = catchThrowable(() -> TestApps
				.run(schema, Map.of("items", migration), "backfill.throttle-on.health-indicators=gate").close());
			assertThat(failure).hasRootCauseInstanceOf(InvalidConfigurationPropertyValueException.class);
			InvalidConfigurationPropertyValueException invalid = (InvalidConfigurationPropertyValueException)
				NestedExceptionUtils.getRootCause(failure);
			assertThat(invalid.getName()).isEqualTo("backfill.throttle-on.health-indicators");
			assertThat(invalid.getReason()).startsWith("No health indicator named 'gate'; the registered ones are [");
			assertThat(migration.batches()).isEmpty();
		}
	}

	/**
	 * The health tests need spring-boot-health, an optional dependency of the library that
	 * applications running these tests on other Boot versions may not have.
	 */
	private static void assumeHealthSupport() {
		assumeTrue(ClassUtils.isPresent("org.springframework.boot.health.contributor.HealthIndicator", null),
				"spring-boot-health is not on the classpath");
	}

	private static void assertCompletedInThreeBatchesEachRowOnce(TestSchema schema, RecordingMigration migration) {
		assertThat(migration.batches()).hasSize(3);
		assertThat(migration.callsPerKey()).hasSize(300).allSatisfy((key, calls) -> assertThat(calls).isOne());
		Map<String, Object> row = Tracking.row(schema.jdbc(), "items");
		assertThat(row.get("status")).isEqualTo("COMPLETED");
		assertThat(((Number) row.get("batches")).intValue()).isEqualTo(3);
	}

	/** A health indicator the migration turns DOWN, UP again once it has been asked a few times while DOWN. */
	static final class Gate implements HealthIndicator {

		private final RecordingMigration migration;

		private final int downChecks;

		final List<Integer> batchesSeenWhileDown = Collections.synchronizedList(new ArrayList<>());

		private volatile boolean down;

		Gate(RecordingMigration migration, int downChecks) {
			this.migration = migration;
			this.downChecks = downChecks;
		}

		void down() {
			this.down = true;
		}

		@Override
		public Health health() {
			if (!this.down) {
				return Health.up().build();
			}
			this.batchesSeenWhileDown.add(this.migration.batches().size());
			if (this.batchesSeenWhileDown.size() == this.downChecks) {
				this.down = false;
			}
			return Health.down().build();
		}

	}

}
