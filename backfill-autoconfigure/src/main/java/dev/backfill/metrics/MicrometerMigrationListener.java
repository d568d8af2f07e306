package dev.backfill.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.backfill.MigrationListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.jspecify.annotations.Nullable;

/**
 * Publishes batches to Micrometer: counter {@code backfill.rows} (base unit rows), timer
 * {@code backfill.batch} (tags {@code migration}, {@code outcome} = {@code success} or
 * {@code failure}; left to the {@code backfill.batch} observation when there is one), counter {@code backfill.batch.retries} (tags {@code migration},
 * {@code exception}) and gauge {@code backfill.batch.size} (tag {@code migration}: the
 * rows per batch the migration uses now, fixed or adaptive; 0 before its first batch).
 *
 * @since 0.1.0
 */
public final class MicrometerMigrationListener implements MigrationListener {

	/** Name of the counter of migrated rows. */
	public static final String ROWS = "backfill.rows";

	/** Name of the timer of batch attempts. */
	public static final String BATCH = "backfill.batch";

	/** Name of the counter of retried batches. */
	public static final String RETRIES = "backfill.batch.retries";

	/** Name of the gauge of the current batch size. */
	public static final String BATCH_SIZE = "backfill.batch.size";

	/** Name of the counter of waits a throttle asked for. */
	public static final String THROTTLED = "backfill.throttled";

	/** Name of the timer of the time spent waiting for throttles. */
	public static final String THROTTLED_TIME = "backfill.throttled.time";

	private final MeterRegistry registry;

	private final boolean batchTimer;

	private final Map<String, Meters> meters = new ConcurrentHashMap<>();

	/**
	 * Creates a listener publishing to a registry.
	 * @param registry the registry
	 */
	public MicrometerMigrationListener(MeterRegistry registry) {
		this(registry, true);
	}

	/**
	 * Creates a listener publishing to a registry, with or without the batch timer.
	 * @param registry the registry
	 * @param batchTimer whether to publish timer {@code backfill.batch}; {@code false} when
	 * it comes from the {@code backfill.batch} observation instead, so that the name is not
	 * registered twice with different tags
	 */
	public MicrometerMigrationListener(MeterRegistry registry, boolean batchTimer) {
		this.registry = registry;
		this.batchTimer = batchTimer;
	}

	@Override
	public void migrationReached(String migration) {
		metersOf(migration);
	}

	@Override
	public void batchSizeChosen(String migration, int size) {
		metersOf(migration).batchSize.set(size);
	}

	@Override
	public void batchSucceeded(String migration, int rows, Duration duration) {
		Meters meters = metersOf(migration);
		meters.rows.increment(rows);
		if (meters.success != null) {
			meters.success.record(duration);
		}
	}

	@Override
	public void batchFailed(String migration, Duration duration) {
		Timer failure = metersOf(migration).failure;
		if (failure != null) {
			failure.record(duration);
		}
	}

	@Override
	public void batchRetried(String migration, Throwable cause) {
		Counter.builder(RETRIES)
			.description("Batches retried after a transient failure")
			.tag("migration", migration)
			.tag("exception", (cause != null) ? cause.getClass().getSimpleName() : "none")
			.register(this.registry)
			.increment();
	}

	@Override
	public void batchThrottled(String migration, String reason, Duration waited) {
		Counter.builder(THROTTLED)
			.description("Waits between backfill batches that a throttle asked for")
			.tag("migration", migration)
			.tag("reason", reason)
			.register(this.registry)
			.increment();
		Timer.builder(THROTTLED_TIME)
			.description("Time backfill waited between batches because a throttle asked it to")
			.tag("migration", migration)
			.register(this.registry)
			.record(waited);
	}

	private Meters metersOf(String migration) {
		return this.meters.computeIfAbsent(migration, (name) -> new Meters(this.registry, name, this.batchTimer));
	}

	private static final class Meters {

		private final Counter rows;

		private final @Nullable Timer success;

		private final @Nullable Timer failure;

		/** Held here, strongly: the registry holds a gauge's value only weakly. */
		private final AtomicInteger batchSize = new AtomicInteger();

		Meters(MeterRegistry registry, String migration, boolean batchTimer) {
			this.rows = Counter.builder(ROWS)
				.description("Rows migrated by backfill")
				.baseUnit("rows")
				.tag("migration", migration)
				.register(registry);
			this.success = batchTimer ? batchTimer(registry, migration, "success") : null;
			this.failure = batchTimer ? batchTimer(registry, migration, "failure") : null;
			Gauge.builder(BATCH_SIZE, this.batchSize, AtomicInteger::get)
				.description("Rows per batch a backfill migration uses now")
				.baseUnit("rows")
				.tag("migration", migration)
				.register(registry);
		}

		private static Timer batchTimer(MeterRegistry registry, String migration, String outcome) {
			return Timer.builder(BATCH)
				.description("Time of backfill batch attempts")
				.tag("migration", migration)
				.tag("outcome", outcome)
				.register(registry);
		}

	}

}
