package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;

import dev.backfill.BackfillThrottle;
import dev.backfill.MigrationListener;
import dev.backfill.MigrationStatus;
import dev.backfill.internal.progress.RunProgress;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.internal.store.BatchLimits;
import dev.backfill.internal.store.MigrationState;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.internal.store.SqlDialect.InlineLimits;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;

/**
 * Runs the batches of one migration whose lease this instance holds: read a batch after
 * the checkpoint, pass it to {@code migrate}, save the checkpoint (renewing the lease) in
 * the same transaction, pause, repeat until no row follows a batch. Transient failures
 * are retried from the checkpoint in the database; anything else fails the migration.
 */
final class MigrationWorker {

	private static final Logger logger = LoggerFactory.getLogger(MigrationWorker.class);

	private final MigrationTarget target;

	private final MigrationSettings settings;

	private final RunnerSettings runnerSettings;

	private final String owner;

	private final MigrationListener listener;

	private final StopSignal stop;

	private final ScheduledExecutorService heartbeats;

	private final MigrationStore store;

	private final BatchQuery query;

	private final BatchLimits limits;

	private final @Nullable InlineLimits inlineLimits;

	private final TransientFailures transientFailures;

	private final LeaseHeartbeat heartbeat;

	private final BatchSizer sizer;

	private final Throttles throttles;

	private final RunProgress progress;

	private final BatchStep step;

	/** Known once the base query has been described, when the run starts. */
	private @Nullable Key key;

	private @Nullable BatchTransaction batches;

	MigrationWorker(MigrationTarget target, RunnerSettings runnerSettings, String owner, MigrationListener listener,
			StopSignal stop, ScheduledExecutorService heartbeats, List<BackfillThrottle> throttles,
			BatchObserver observer) {
		this.progress = new RunProgress(target.name(), runnerSettings.progressLogInterval());
		// Every part of the run that tells the listener tells the run's progress too.
		listener = new CompositeMigrationListener(List.of(listener, this.progress));
		this.target = target;
		this.settings = target.settings();
		this.runnerSettings = runnerSettings;
		this.owner = owner;
		this.listener = listener;
		this.stop = stop;
		this.heartbeats = heartbeats;
		this.store = target.database().store();
		this.limits = this.settings.limits(runnerSettings.leaseDuration());
		// Limits that ride on the batch's SELECT need no statement of their own.
		this.inlineLimits = this.store.dialect().inlineLimits(this.limits);
		this.sizer = BatchSizer.of(this.settings);
		this.query = BatchQuery.of(target, this.sizer.size(), this.inlineLimits);
		this.transientFailures = new TransientFailures(this.store.dialect());
		this.heartbeat = new LeaseHeartbeat(this.store, target.name(), owner, runnerSettings.leaseDuration());
		this.throttles = new Throttles(throttles, target.name(), target.database().dataSource(), listener, stop);
		this.step = new BatchStep(target.name(), this.sizer, listener, this.throttles,
				new BatchRetries(target.name(), runnerSettings, this.transientFailures, listener),
				new AttemptFailures(target.name(), this.settings.transactional(), runnerSettings.leaseDuration(),
						this.store.dialect().name(), this.transientFailures),
				this.transientFailures, observer);
	}

	/**
	 * Runs the migration from the checkpoint in {@code state} until it completes, fails,
	 * loses its lease or is asked to stop.
	 * @param state the migration's row, read after this instance took the lease
	 * @return how it ended
	 */
	MigrationResult run(MigrationState state) {
		long started = System.nanoTime();
		String name = this.target.name();
		ScheduledFuture<?> renewals = this.heartbeat.start(this.heartbeats);
		Position position = null;
		Position start = null;
		try {
			this.key = this.query.describe(this.target.database().jdbc(), this.transientFailures);
			this.batches = new BatchTransaction(this.target, this.query, this.key, this.owner,
					this.runnerSettings.leaseDuration(), this.heartbeat, this.limits, this.inlineLimits, this.progress);
			// Rows with a NULL key would never come up after a key: refuse them up front.
			this.query.refuseNullKeys(this.target.database().jdbc());
			start = Position.of(state, this.key);
			position = start;
			logStart(state);
			this.progress.start(EstimatedTotal.take(this.target, this.query, start, this.owner), state);
			while (!position.completed()) {
				if (this.stop.isRequested()) {
					this.store.release(name, this.owner);
					logger.info("Backfill migration '{}' stopped after {} rows in {} batches; it resumes after key {}",
							name, position.checkpoint().rowsProcessed(), position.checkpoint().batches(),
							position.checkpoint().lastKey());
					return result(MigrationResult.Outcome.STOPPED, start, position, started, null, null);
				}
				// Between batches, holding no transaction; the heartbeat keeps the lease meanwhile.
				if (this.throttles.awaitGo(position.checkpoint().batches() + 1)) {
					continue;
				}
				position = runBatchWithRetries(position);
				if (!position.completed()) {
					this.stop.await(this.settings.throttle());
				}
			}
			MigrationResult result = result(MigrationResult.Outcome.COMPLETED, start, position, started, null, null);
			logCompleted(result);
			return result;
		}
		catch (LeaseLostException ex) {
			if (new PausedMigration(this.store, name, this.owner).letGoIfPaused()) {
				return result(MigrationResult.Outcome.PAUSED, start, position, started, null, null);
			}
			logger.warn(ex.getMessage());
			return result(MigrationResult.Outcome.RUNNING_ELSEWHERE, start, position, started, null, null);
		}
		catch (RuntimeException ex) {
			// Both name the migration already.
			String error = (ex instanceof BatchFailedException || ex instanceof InvalidMigrationException)
					? ex.getMessage() : "Migration '" + name + "' failed: " + FailureText.describe(ex);
			recordFailure(error);
			logger.error(error, FailureText.rootOf(ex));
			if (pausedMeanwhile()) {
				logger.info("Backfill migration '{}' stays paused, with that error; resuming it runs the failed batch "
						+ "again", name);
				return result(MigrationResult.Outcome.PAUSED, start, position, started, error, ex);
			}
			return result(MigrationResult.Outcome.FAILED, start, position, started, error, ex);
		}
		finally {
			renewals.cancel(false);
		}
	}

	private Position runBatchWithRetries(Position from) {
		return this.step.run(this.batches, from, this::reloadPosition);
	}

	private static Duration since(long startedNanos) {
		return BatchStep.since(startedNanos);
	}

	/**
	 * After a failed attempt the batch may or may not have committed: ask the database. If
	 * the migration completed beyond that one batch, another instance took over and
	 * completed it while this one was cut off (frozen, disconnected): its lease is lost.
	 */
	private Position reloadPosition(Position failedFrom) {
		MigrationState state = this.store.find(this.target.name()).orElseThrow();
		// The completing batch (or an empty last one) may be the failed attempt's own, its
		// commit acknowledgement lost; an instance that took over from the same checkpoint
		// and completed in that one batch did the same work.
		boolean completedByFailedAttempt = failedFrom.completedByAttemptFrom(state.isCompleted(), state.batches());
		if (!completedByFailedAttempt && !this.owner.equals(state.leaseOwner())) {
			throw new LeaseLostException(this.target.name(), this.owner);
		}
		return Position.of(state, this.key);
	}

	private void recordFailure(String error) {
		try {
			if (!this.store.fail(this.target.name(), this.owner, error)) {
				logger.warn("Backfill migration '{}': failure not recorded, the lease had passed to another instance",
						this.target.name());
			}
		}
		catch (DataAccessException ex) {
			logger.error("Backfill migration '{}': could not record its failure: {}", this.target.name(),
					FailureText.describe(ex));
		}
	}

	/** Whether the row stayed {@code PAUSED} when the failure was recorded: a pause landed meanwhile. */
	private boolean pausedMeanwhile() {
		try {
			return this.store.find(this.target.name())
				.map((state) -> state.status() == MigrationStatus.PAUSED)
				.orElse(false);
		}
		catch (DataAccessException ex) {
			return false;
		}
	}

	private void logStart(MigrationState state) {
		if (state.lastKey() == null) {
			logger.info("Backfill migration '{}' starting (batch size {}, throttle {} ms, key {})",
					this.target.name(), batchSizeText(), this.settings.throttle().toMillis(),
					String.join(", ", this.settings.keyColumns()));
		}
		else {
			logger.info("Backfill migration '{}' resuming after key {} ({} rows in {} batches done; batch size {}, "
					+ "throttle {} ms)", this.target.name(), state.lastKey(), state.rowsProcessed(), state.batches(),
					batchSizeText(), this.settings.throttle().toMillis());
		}
	}

	private String batchSizeText() {
		if (!this.sizer.isAdaptive()) {
			return Integer.toString(this.settings.batchSize());
		}
		return this.sizer.size() + " adaptive, " + this.settings.minBatchSize() + " to "
				+ this.settings.maxBatchSize() + " rows aiming at " + this.settings.targetBatchDuration().toMillis()
				+ " ms a batch";
	}

	private MigrationResult result(MigrationResult.Outcome outcome, @Nullable Position start,
			@Nullable Position end, long startedNanos, @Nullable String error, @Nullable RuntimeException failure) {
		boolean moved = start != null && end != null;
		long rows = moved ? end.checkpoint().rowsProcessed() - start.checkpoint().rowsProcessed() : 0;
		long batches = moved ? end.checkpoint().batches() - start.checkpoint().batches() : 0;
		return new MigrationResult(this.target.name(), outcome, rows, batches, since(startedNanos), error, failure);
	}

	private void logCompleted(MigrationResult result) {
		long throttledMillis = this.throttles.throttledTime().toMillis();
		if (throttledMillis == 0) {
			logger.info("Backfill migration '{}' completed: {} rows in {} batches in {} ms ({} rows/s)",
					result.name(), result.rows(), result.batches(), result.duration().toMillis(),
					rowsPerSecond(result.rows(), result.duration().toMillis()));
			return;
		}
		// The rate of the time spent working: time waited for throttles would dilute it.
		logger.info("Backfill migration '{}' completed: {} rows in {} batches in {} ms, {} ms of it throttled "
				+ "({} rows/s while not throttled)", result.name(), result.rows(), result.batches(),
				result.duration().toMillis(), throttledMillis,
				rowsPerSecond(result.rows(), result.duration().toMillis() - throttledMillis));
	}

	private static long rowsPerSecond(long rows, long millis) {
		return rows * 1000 / Math.max(1, millis);
	}

}
