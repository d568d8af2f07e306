package dev.backfill.internal.store;

import org.jspecify.annotations.Nullable;

/**
 * How a run is going, saved with each checkpoint so that every instance reads it from the
 * tracking row.
 *
 * @param rowsPerSecond the recent rate, excluding time spent throttled, or {@code null}
 * before it is measured
 * @param throttledMillis time the migration has spent throttled, in all its runs
 * @param throttleReason why a throttle held the batch being checkpointed, or {@code null}
 * if none did
 *
 * @since 0.1.0
 */
public record RunFigures(@Nullable Double rowsPerSecond, long throttledMillis, @Nullable String throttleReason) {

	/** Nothing measured: no rate, nothing throttled. */
	public static final RunFigures NONE = new RunFigures(null, 0, null);

}
