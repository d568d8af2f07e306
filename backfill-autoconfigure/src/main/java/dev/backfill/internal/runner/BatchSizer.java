package dev.backfill.internal.runner;

import java.time.Duration;

import dev.backfill.BatchSizeMode;
import dev.backfill.internal.settings.MigrationSettings;

/**
 * Chooses the size of a migration's next batch. A fixed size never changes. An adaptive
 * one aims each batch at the target duration (as pt-online-schema-change's chunk time and
 * GitLab's batch optimizer do): it keeps an exponential moving average of the time per row
 * of the batches so far, and gives the next batch {@code target / average} rows, at most
 * {@value #GROWTH_LIMIT} times the last batch's size (a cheap stretch of the table does not
 * make the batch leap), but with no limit downwards when the last batch ran over
 * {@value #SLOW_MARGIN} times the target: the table's cost changed, so the average starts
 * again from that batch alone. The size stays between the minimum and maximum batch size.
 * A batch cancelled by the statement timeout is retried at half its size.
 * <p>
 * Not thread-safe: one per migration run, used by the worker's thread. Times are given,
 * never read, so the policy is tested without a clock.
 */
final class BatchSizer {

	/** The most the batch size grows from one batch to the next. */
	static final double GROWTH_LIMIT = 1.5;

	/** A batch longer than this many times the target shrinks the next one at once. */
	static final double SLOW_MARGIN = 1.5;

	/** Weight of the last batch in the moving average of the time per row. */
	static final double LAST_BATCH_WEIGHT = 0.5;

	private final boolean adaptive;

	private final double targetNanos;

	private final int min;

	private final int max;

	private int size;

	/** Moving average of the time per row; negative until a batch is measured. */
	private double nanosPerRow = -1;

	private BatchSizer(boolean adaptive, int first, Duration target, int min, int max) {
		this.adaptive = adaptive;
		this.targetNanos = target.toNanos();
		this.min = min;
		this.max = max;
		this.size = adaptive ? clamp(first) : first;
	}

	/**
	 * The sizer a migration's settings ask for.
	 * @param settings the migration's settings
	 * @return a fixed or adaptive sizer
	 */
	static BatchSizer of(MigrationSettings settings) {
		return (settings.batchSizeMode() == BatchSizeMode.ADAPTIVE)
				? adaptive(settings.batchSize(), settings.targetBatchDuration(), settings.minBatchSize(),
						settings.maxBatchSize())
				: fixed(settings.batchSize());
	}

	/**
	 * A sizer that always gives the same size.
	 * @param size rows per batch
	 * @return the sizer
	 */
	static BatchSizer fixed(int size) {
		return new BatchSizer(false, size, Duration.ZERO, size, size);
	}

	/**
	 * A sizer that aims each batch at a target duration.
	 * @param first the first batch's size, clamped to {@code [min, max]}
	 * @param target how long a batch should take
	 * @param min the fewest rows a batch is given, at least 1
	 * @param max the most rows a batch is given, at least {@code min}
	 * @return the sizer
	 */
	static BatchSizer adaptive(int first, Duration target, int min, int max) {
		return new BatchSizer(true, first, target, min, max);
	}

	/**
	 * Whether the size adapts to the measured batch times.
	 * @return {@code true} in adaptive mode
	 */
	boolean isAdaptive() {
		return this.adaptive;
	}

	/**
	 * The size of the next batch.
	 * @return rows, at least 1
	 */
	int size() {
		return this.size;
	}

	/**
	 * Learns from a batch that committed, read with the current size, and sizes the next.
	 * @param rows the rows the batch migrated (fewer than the size for the last batch)
	 * @param took how long the batch's attempt took: select, migrate and checkpoint
	 */
	void measured(int rows, Duration took) {
		if (!this.adaptive || rows == 0) {
			return;
		}
		double nanos = Math.max(1, took.toNanos());
		double lastNanosPerRow = nanos / rows;
		boolean slow = nanos > this.targetNanos * SLOW_MARGIN;
		if (slow || this.nanosPerRow < 0) {
			// The cost changed (or this is the first measure): the older batches say nothing.
			this.nanosPerRow = lastNanosPerRow;
		}
		else {
			this.nanosPerRow = LAST_BATCH_WEIGHT * lastNanosPerRow + (1 - LAST_BATCH_WEIGHT) * this.nanosPerRow;
		}
		double ideal = this.targetNanos / this.nanosPerRow;
		double next = slow ? ideal : Math.min(ideal, Math.ceil(this.size * GROWTH_LIMIT));
		this.size = clamp(next);
	}

	/**
	 * Halves the size after a batch was cancelled by the statement timeout, so that its
	 * retry is more likely to finish in time; never below the minimum.
	 * @return whether the size was halved: {@code false} in fixed mode or at the minimum
	 */
	boolean halve() {
		if (!this.adaptive || this.size <= this.min) {
			return false;
		}
		this.size = Math.max(this.min, this.size / 2);
		return true;
	}

	private int clamp(double size) {
		return (int) Math.max(this.min, Math.min(this.max, Math.floor(size)));
	}

}
