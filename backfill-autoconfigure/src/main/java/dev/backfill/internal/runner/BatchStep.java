package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.function.UnaryOperator;

import dev.backfill.MigrationListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch with its retries, as a worker runs it: attempts until one commits, a failure
 * is not transient or the attempts run out; in adaptive mode a batch cancelled by the
 * statement timeout is tried again at once at half its size. Tells the listener, the batch
 * sizer and the throttles how each attempt went. One per worker, since the batch size it
 * adapts is that worker's.
 */
final class BatchStep {

	private static final Logger logger = LoggerFactory.getLogger(BatchStep.class);

	private final String migration;

	private final BatchSizer sizer;

	private final MigrationListener listener;

	private final Throttles throttles;

	private final BatchRetries retries;

	private final AttemptFailures attemptFailures;

	private final TransientFailures transientFailures;

	private final BatchObserver observer;

	/** The batch size the listener was last told of; 0 before the first batch. */
	private int toldBatchSize;

	BatchStep(String migration, BatchSizer sizer, MigrationListener listener, Throttles throttles,
			BatchRetries retries, AttemptFailures attemptFailures, TransientFailures transientFailures,
			BatchObserver observer) {
		this.migration = migration;
		this.sizer = sizer;
		this.listener = listener;
		this.throttles = throttles;
		this.retries = retries;
		this.attemptFailures = attemptFailures;
		this.transientFailures = transientFailures;
		this.observer = observer;
	}

	/**
	 * Runs the batch after a position.
	 * @param batches the batch's work in the database
	 * @param from where the walk stands
	 * @param reload reads the checkpoint in the database after a failed attempt, given
	 * where that attempt started
	 * @return where the batch left the walk
	 * @throws LeaseLostException if the lease passed to another worker
	 * @throws BatchFailedException if the batch failed for good
	 */
	Position run(BatchTransaction batches, Position from, UnaryOperator<Position> reload) {
		return this.retries.run(new BatchAttempts(from),
				(attempts) -> attemptSplittingOnStatementTimeout(batches, attempts, reload));
	}

	private Position attemptSplittingOnStatementTimeout(BatchTransaction batches, BatchAttempts attempts,
			UnaryOperator<Position> reload) {
		while (true) {
			try {
				return attempt(batches, attempts, reload);
			}
			catch (RuntimeException failure) {
				if (!splitAfterStatementTimeout(failure, attempts)) {
					throw failure;
				}
			}
		}
	}

	private Position attempt(BatchTransaction batches, BatchAttempts attempts, UnaryOperator<Position> reload) {
		Position from = attempts.begin(reload);
		if (from.completed()) {
			return from;
		}
		tellBatchSize();
		long started = System.nanoTime();
		try {
			Position next = this.observer.observe(this.migration, from.checkpoint().batches() + 1,
					() -> batches.run(from, attempts, this.sizer.size()));
			int rows = (int) (next.checkpoint().rowsProcessed() - from.checkpoint().rowsProcessed());
			Duration took = since(started);
			this.listener.batchSucceeded(this.migration, rows, took);
			this.sizer.measured(rows, took);
			this.throttles.batchTook(took);
			return next;
		}
		catch (RuntimeException ex) {
			Duration took = since(started);
			this.listener.batchFailed(this.migration, took);
			throw this.attemptFailures.of(ex, took, attempts, () -> reload.apply(from));
		}
	}

	private void tellBatchSize() {
		int size = this.sizer.size();
		if (size != this.toldBatchSize) {
			this.toldBatchSize = size;
			this.listener.batchSizeChosen(this.migration, size);
		}
	}

	private boolean splitAfterStatementTimeout(RuntimeException failure, BatchAttempts attempts) {
		int size = this.sizer.size();
		if (!this.sizer.isAdaptive() || !this.transientFailures.isStatementTimeout(failure) || !this.sizer.halve()) {
			return false;
		}
		logger.warn("Backfill migration '{}': batch {} of at most {} rows was cancelled by the statement timeout; "
				+ "trying it again with at most {} rows: {}", this.migration, attempts.description(), size,
				this.sizer.size(), FailureText.describe(failure));
		return true;
	}

	static Duration since(long startedNanos) {
		return Duration.ofNanos(System.nanoTime() - startedNanos);
	}

}
