package dev.backfill.internal.progress;

import java.time.Duration;
import java.util.function.LongSupplier;

import dev.backfill.MigrationListener;
import dev.backfill.internal.store.MigrationState;
import dev.backfill.internal.store.RunFigures;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one run of a migration is going, on the instance running it: its estimated total,
 * its rows, its recent rate and its time throttled; it logs the progress line when one is
 * due and gives the figures each checkpoint saves. Told of batches and throttle waits as
 * a {@link MigrationListener}.
 * <p>
 * A batch's working time is the time since the previous batch committed (or the run
 * started) less the time excluded meanwhile: waits a {@code BackfillThrottle} asked for
 * (and, through {@link #excluded}, pauses). The migration's own pause between batches
 * ({@code throttle}), retries and their backoff are part of its pace and count.
 */
public final class RunProgress implements MigrationListener {

	private static final Logger logger = LoggerFactory.getLogger(RunProgress.class);

	/** The tracking table's {@code throttle_reason} holds this much. */
	private static final int MAX_REASON_LENGTH = 1000;

	private final String migration;

	/** How often to log the progress line; {@code null} for never. */
	private final @Nullable Long logIntervalNanos;

	private final LongSupplier clock;

	private final RateWindow rate = new RateWindow();

	private @Nullable Long estimatedTotal;

	private long rowsProcessed;

	private long throttledNanos;

	/** When the last batch committed, or the run started. */
	private long markNanos;

	private long excludedSinceMarkNanos;

	private @Nullable String throttleReason;

	private long loggedNanos;

	/**
	 * Creates the progress of a run.
	 * @param migration the migration's name
	 * @param logInterval how often to log the progress line
	 */
	public RunProgress(String migration, Duration logInterval) {
		this(migration, logInterval, System::nanoTime);
	}

	RunProgress(String migration, @Nullable Duration logInterval, LongSupplier clock) {
		this.migration = migration;
		this.logIntervalNanos = (logInterval != null) ? logInterval.toNanos() : null;
		this.clock = clock;
		this.markNanos = clock.getAsLong();
		this.loggedNanos = this.markNanos;
	}

	/**
	 * Creates the progress of one worker of a migration run in chunks: the rate its chunks'
	 * checkpoints save, and no progress line, since a worker's rows are not the
	 * migration's (the line of a run in chunks adds up every worker's chunks).
	 * @param migration the migration's name
	 * @return the progress
	 */
	public static RunProgress ofChunkWorker(String migration) {
		return new RunProgress(migration, null, System::nanoTime);
	}

	/**
	 * The run starts its batches.
	 * @param estimatedTotal the rows it expects in all, done ones included, or {@code null}
	 * @param state the migration's row as the run starts: rows done and time throttled in
	 * earlier runs
	 */
	public void start(@Nullable Long estimatedTotal, MigrationState state) {
		this.estimatedTotal = estimatedTotal;
		this.rowsProcessed = state.rowsProcessed();
		this.throttledNanos = Duration.ofMillis(state.throttledMillis()).toNanos();
		this.markNanos = this.clock.getAsLong();
		this.loggedNanos = this.markNanos;
		this.excludedSinceMarkNanos = 0;
	}

	/**
	 * Time between batches that is not the migration's work and so not part of its rate.
	 * @param time how long it was
	 * @param throttleReason why a throttle asked for it, or {@code null} for a pause
	 */
	public void excluded(Duration time, @Nullable String throttleReason) {
		long nanos = time.toNanos();
		this.excludedSinceMarkNanos += nanos;
		if (throttleReason != null) {
			this.throttledNanos += nanos;
			this.throttleReason = (throttleReason.length() > MAX_REASON_LENGTH)
					? throttleReason.substring(0, MAX_REASON_LENGTH) : throttleReason;
		}
	}

	@Override
	public void batchThrottled(String migration, String reason, Duration waited) {
		excluded(waited, reason);
	}

	/**
	 * Time spent throttled so far.
	 * @return the time in milliseconds, the migration's earlier runs included
	 */
	public long throttledMillis() {
		return Duration.ofNanos(this.throttledNanos).toMillis();
	}

	/**
	 * The figures to save with the checkpoint of a batch about to commit: the rate with
	 * that batch, the time throttled, and why a throttle held that batch, if one did.
	 * @param batchRows the batch's rows
	 * @return the figures
	 */
	public RunFigures figures(int batchRows) {
		return new RunFigures(this.rate.rowsPerSecondWith(batchRows, workNanos(this.clock.getAsLong())),
				Duration.ofNanos(this.throttledNanos).toMillis(), this.throttleReason);
	}

	/**
	 * The figures to save with the checkpoint of a batch whose own working time is not known
	 * when the checkpoint is written: a batch run as one statement, its checkpoint inside
	 * it. Its rate is the window's as it stands, without that batch; counting the batch's
	 * rows but not its time would overstate the rate by a batch in ten.
	 * @return the figures, whose rate is {@code null} before the run's first batch
	 */
	public RunFigures figuresBeforeBatch() {
		return new RunFigures(this.rate.rowsPerSecond(), Duration.ofNanos(this.throttledNanos).toMillis(),
				this.throttleReason);
	}

	@Override
	public void batchSucceeded(String migration, int rows, Duration duration) {
		long now = this.clock.getAsLong();
		this.rate.add(rows, workNanos(now));
		this.markNanos = now;
		this.excludedSinceMarkNanos = 0;
		this.throttleReason = null;
		this.rowsProcessed += rows;
		if (this.logIntervalNanos != null && now - this.loggedNanos >= this.logIntervalNanos) {
			this.loggedNanos = now;
			logger.info(ProgressLine.of(this.migration, progress()));
		}
	}

	/**
	 * Where the run stands now.
	 * @return the progress
	 */
	public Progress progress() {
		return new Progress(this.rowsProcessed, this.estimatedTotal, this.rate.rowsPerSecond(), false);
	}

	private long workNanos(long now) {
		return Math.max(0, now - this.markNanos - this.excludedSinceMarkNanos);
	}

}
