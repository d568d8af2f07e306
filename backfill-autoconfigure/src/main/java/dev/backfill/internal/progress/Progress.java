package dev.backfill.internal.progress;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * What follows from a migration's rows so far, its estimated total and its recent rate:
 * the percent done and the time left. The one place both are computed, for the progress
 * log line, the gauges, the endpoint and the console alike.
 *
 * @param rowsProcessed rows migrated so far
 * @param estimatedTotal the rows expected, or {@code null} when not estimated
 * @param rowsPerSecond the recent rate excluding time paused or throttled, or {@code null}
 * when not measured
 * @param completed whether the migration has completed
 */
public record Progress(long rowsProcessed, @Nullable Long estimatedTotal, @Nullable Double rowsPerSecond,
		boolean completed) {

	/**
	 * Rows done of the estimate, from 0 to 100; 100 once completed. A running migration that
	 * passed its estimate (rows added meanwhile) shows 99.9 until it completes.
	 * @return the percent, or {@code null} without an estimate
	 */
	public @Nullable Double percent() {
		if (this.completed) {
			return 100.0;
		}
		if (this.estimatedTotal == null) {
			return null;
		}
		if (this.estimatedTotal <= 0) {
			return 0.0;
		}
		return Math.min(99.9, 100.0 * this.rowsProcessed / this.estimatedTotal);
	}

	/**
	 * The time left at the recent rate.
	 * @return the estimate, zero once completed, or {@code null} without an estimate or a
	 * rate
	 */
	public @Nullable Duration eta() {
		if (this.completed) {
			return Duration.ZERO;
		}
		if (this.estimatedTotal == null || this.rowsPerSecond == null || this.rowsPerSecond <= 0) {
			return null;
		}
		long left = Math.max(0, this.estimatedTotal - this.rowsProcessed);
		return Duration.ofMillis(Math.round(left * 1000.0 / this.rowsPerSecond));
	}

}
