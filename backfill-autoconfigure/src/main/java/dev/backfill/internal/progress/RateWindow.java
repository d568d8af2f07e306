package dev.backfill.internal.progress;

import java.util.ArrayDeque;

import org.jspecify.annotations.Nullable;

/**
 * The recent rate of a migration: rows over working time of its last
 * {@value #BATCHES} batches, a moving average weighted by time, so one slow batch moves it
 * by its share of the window only and a change of pace shows within ten batches. The
 * working time of a batch is what the caller measured; time throttled or paused is left
 * out by the caller (see {@link RunProgress}).
 */
public final class RateWindow {

	/** Batches the rate is averaged over. */
	public static final int BATCHES = 10;

	private final ArrayDeque<long[]> samples = new ArrayDeque<>(BATCHES);

	private long rows;

	private long nanos;

	/**
	 * A batch's rows and working time.
	 * @param batchRows the rows it migrated
	 * @param workNanos the time it took, not counting time throttled or paused
	 */
	public void add(long batchRows, long workNanos) {
		if (this.samples.size() == BATCHES) {
			long[] oldest = this.samples.removeFirst();
			this.rows -= oldest[0];
			this.nanos -= oldest[1];
		}
		this.samples.addLast(new long[] { batchRows, workNanos });
		this.rows += batchRows;
		this.nanos += workNanos;
	}

	/**
	 * The rate over the batches of the window.
	 * @return rows per second, or {@code null} before the first batch
	 */
	public @Nullable Double rowsPerSecond() {
		return rate(this.rows, this.nanos);
	}

	/**
	 * The rate the window would show with one more batch, which is not added.
	 * @param batchRows that batch's rows
	 * @param workNanos its working time
	 * @return rows per second
	 */
	public @Nullable Double rowsPerSecondWith(long batchRows, long workNanos) {
		long[] oldest = (this.samples.size() == BATCHES) ? this.samples.peekFirst() : new long[2];
		return rate(this.rows - oldest[0] + batchRows, this.nanos - oldest[1] + workNanos);
	}

	private static @Nullable Double rate(long rows, long nanos) {
		return (nanos <= 0) ? null : rows * 1e9 / nanos;
	}

}
