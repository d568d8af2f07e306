package dev.backfill;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import javax.sql.DataSource;

/**
 * What a {@link BackfillThrottle} is told about the migration whose next batch is about to
 * run.
 *
 * @since 0.1.0
 */
public final class ThrottleContext {

	/** How many of the latest batch durations a context holds. */
	public static final int RECENT_BATCHES = 10;

	private final String migration;

	private final List<Duration> recentBatchDurations;

	private final DataSource dataSource;

	private ThrottleContext(String migration, List<Duration> recentBatchDurations, DataSource dataSource) {
		this.migration = migration;
		this.recentBatchDurations = recentBatchDurations;
		this.dataSource = dataSource;
	}

	/**
	 * Creates a context, e.g. to test a throttle.
	 * @param migration the migration's name
	 * @param recentBatchDurations the durations of its latest committed batches of this
	 * run, oldest first; only the last {@link #RECENT_BATCHES} are kept
	 * @param dataSource the DataSource the migration runs on
	 * @return the context
	 */
	public static ThrottleContext of(String migration, List<Duration> recentBatchDurations, DataSource dataSource) {
		Objects.requireNonNull(migration, "migration");
		Objects.requireNonNull(dataSource, "dataSource");
		List<Duration> recent = List.copyOf(recentBatchDurations);
		if (recent.size() > RECENT_BATCHES) {
			recent = recent.subList(recent.size() - RECENT_BATCHES, recent.size());
		}
		return new ThrottleContext(migration, recent, dataSource);
	}

	/**
	 * The migration's name.
	 * @return the name
	 */
	public String migration() {
		return this.migration;
	}

	/**
	 * How long the migration's latest committed batches of this run took (their last
	 * attempt, without pauses or throttling), oldest first, at most {@link #RECENT_BATCHES};
	 * empty before the first batch of a run.
	 * @return an unmodifiable list
	 */
	public List<Duration> recentBatchDurations() {
		return this.recentBatchDurations;
	}

	/**
	 * The DataSource the migration runs on, for throttles that look at its database.
	 * @return the DataSource
	 */
	public DataSource dataSource() {
		return this.dataSource;
	}

	@Override
	public String toString() {
		return "ThrottleContext[migration=" + this.migration + ", recentBatchDurations=" + this.recentBatchDurations
				+ "]";
	}

}
