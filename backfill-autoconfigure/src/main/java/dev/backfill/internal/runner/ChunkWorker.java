package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;

import dev.backfill.BackfillThrottle;
import dev.backfill.MigrationListener;
import dev.backfill.internal.progress.RunProgress;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.internal.store.BatchLimits;
import dev.backfill.internal.store.ChunkState;
import dev.backfill.internal.store.ChunkStore;
import dev.backfill.internal.store.RunFigures;
import dev.backfill.internal.store.SqlDialect.InlineLimits;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;

/**
 * One worker thread of a migration run in chunks: claims a chunk, runs its batches from
 * the chunk's checkpoint with the chunk's own lease (renewed by a heartbeat and by each
 * checkpoint, fenced by owner and batch count as a run without chunks is), then claims
 * the next, until no chunk is free. Each batch is the same {@link BatchTransaction} and
 * {@link BatchStep} as a run without chunks, reading only the chunk's key range; each
 * checkpoint saves the worker's recent rate in the chunk's row, leaving out the time
 * throttles made it wait, as a run without chunks saves its own in the tracking row.
 */
final class ChunkWorker {

	private static final Logger logger = LoggerFactory.getLogger(ChunkWorker.class);

	private final MigrationTarget target;

	private final MigrationSettings settings;

	private final String worker;

	private final StopSignal stop;

	private final ScheduledExecutorService heartbeats;

	private final ChunkStore chunks;

	private final Duration lease;

	private final Key key;

	private final BatchQuery query;

	private final BatchLimits limits;

	private final @Nullable InlineLimits inlineLimits;

	private final Throttles throttles;

	private final BatchStep step;

	/** This worker's rate, saved with each checkpoint of its chunks. */
	private final RunProgress progress;

	private long rows;

	private long batches;

	private @Nullable String error;

	private @Nullable RuntimeException failure;

	ChunkWorker(MigrationTarget target, RunnerSettings runnerSettings, String worker, Key key,
			MigrationListener listener, StopSignal stop, ScheduledExecutorService heartbeats,
			List<BackfillThrottle> throttles, BatchObserver observer) {
		this.progress = RunProgress.ofChunkWorker(target.name());
		// Every part of the run that tells the listener tells the worker's progress too.
		listener = new CompositeMigrationListener(List.of(listener, this.progress));
		this.target = target;
		this.settings = target.settings();
		this.worker = worker;
		this.stop = stop;
		this.heartbeats = heartbeats;
		this.chunks = target.database().chunks();
		this.lease = runnerSettings.leaseDuration();
		this.key = key;
		this.limits = this.settings.limits(this.lease);
		this.inlineLimits = target.database().store().dialect().inlineLimits(this.limits);
		BatchSizer sizer = BatchSizer.of(this.settings);
		this.query = new BatchQuery(target.name(), target.migration().baseQuery(), this.settings.keyColumns(),
				sizer.size(), this.inlineLimits, target.database().store().dialect(), target.readsKeysOnly());
		TransientFailures transientFailures = new TransientFailures(target.database().store().dialect());
		this.throttles = new Throttles(throttles, target.name(), target.database().dataSource(), listener, stop);
		this.step = new BatchStep(target.name(), sizer, listener, this.throttles,
				new BatchRetries(target.name(), runnerSettings, transientFailures, listener),
				new AttemptFailures(target.name(), this.settings.transactional(), this.lease,
						target.database().store().dialect().name(), transientFailures),
				transientFailures, observer);
	}

	/**
	 * Claims and runs chunks until none is free, a chunk fails or a stop is asked.
	 * @return this worker's share of the run
	 */
	ChunkWorker run() {
		while (!this.stop.isRequested() && this.error == null) {
			Optional<ChunkState> claimed = this.chunks.claim(this.target.name(), this.worker, this.lease,
					this.progress.progress().rowsPerSecond());
			if (claimed.isEmpty()) {
				break;
			}
			runChunk(claimed.get());
		}
		return this;
	}

	private void runChunk(ChunkState chunk) {
		String name = this.target.name();
		int number = chunk.chunk();
		LeaseHeartbeat heartbeat = new LeaseHeartbeat(
				"Backfill migration '" + name + "': lease of chunk " + number + " by " + this.worker,
				() -> this.chunks.renew(name, number, this.worker, this.lease), this.lease);
		ScheduledFuture<?> renewals = heartbeat.start(this.heartbeats);
		// The chunk's time throttled: its earlier workers', then this worker's since it claimed it.
		long throttledBefore = this.progress.throttledMillis() - chunk.throttledMillis();
		BatchTransaction transaction = new BatchTransaction(this.target, this.query, this.key, this.worker,
				heartbeat, this.limits, this.inlineLimits, KeyRange.of(chunk.range(), this.key), this.progress,
				(next, previousBatches, completed, figures) -> this.chunks.saveCheckpoint(name, number, this.worker, next,
						previousBatches, this.lease, completed, ofChunk(figures, throttledBefore)),
				(from, figures, lastKeyText, batchRows) -> this.chunks.checkpointAfterBatch(name, number, this.worker,
						from, this.lease, ofChunk(figures, throttledBefore), lastKeyText, batchRows));
		Position start = Position.of(chunk, this.key);
		Position position = start;
		logger.debug("Backfill migration '{}': {} runs chunk {} (keys {} to {}, after {})", name, this.worker, number,
				chunk.rangeStart(), chunk.rangeEnd(), chunk.lastKey());
		try {
			while (!position.completed()) {
				if (this.stop.isRequested()) {
					this.chunks.release(name, number, this.worker);
					return;
				}
				if (this.throttles.awaitGo(position.checkpoint().batches() + 1)) {
					continue;
				}
				Position from = position;
				position = this.step.run(transaction, from, (failedFrom) -> reload(number, failedFrom));
				this.rows += position.checkpoint().rowsProcessed() - from.checkpoint().rowsProcessed();
				this.batches += position.checkpoint().batches() - from.checkpoint().batches();
				if (!position.completed()) {
					this.stop.await(this.settings.throttle());
				}
			}
		}
		catch (LeaseLostException ex) {
			// Another worker took the chunk over, or the migration is no longer RUNNING (paused,
			// failed elsewhere): in the latter case the lease is still this worker's to free.
			logger.info("Backfill migration '{}': {} gave up chunk {}: its checkpoint was refused", name,
					this.worker, number);
			releaseQuietly(number);
		}
		catch (RuntimeException ex) {
			String text = (ex instanceof BatchFailedException || ex instanceof InvalidMigrationException)
					? ex.getMessage() : "Migration '" + name + "' failed: " + FailureText.describe(ex);
			this.error = "Chunk " + number + " (keys " + chunk.rangeStart() + " to " + chunk.rangeEnd() + "): " + text;
			this.failure = ex;
			logger.error(this.error, FailureText.rootOf(ex));
			recordFailure(number);
		}
		finally {
			renewals.cancel(false);
		}
	}

	/** The worker's figures as the chunk's: its rate, and its time throttled since it claimed the chunk. */
	private static RunFigures ofChunk(RunFigures worker, long throttledBefore) {
		return new RunFigures(worker.rowsPerSecond(), worker.throttledMillis() - throttledBefore,
				worker.throttleReason());
	}

	/** After a failed attempt: the chunk's checkpoint in the database, if the chunk is still this worker's. */
	private Position reload(int number, Position failedFrom) {
		ChunkState chunk = this.chunks.find(this.target.name(), number).orElseThrow();
		if (!failedFrom.completedByAttemptFrom(chunk.isCompleted(), chunk.batches())
				&& !this.worker.equals(chunk.leaseOwner())) {
			throw new LeaseLostException(this.target.name(), this.worker);
		}
		return Position.of(chunk, this.key);
	}

	private void releaseQuietly(int number) {
		try {
			this.chunks.release(this.target.name(), number, this.worker);
		}
		catch (DataAccessException ex) {
			logger.debug("Could not free chunk {}: {}", number, ex.getMessage());
		}
	}

	private void recordFailure(int number) {
		try {
			if (!this.chunks.fail(this.target.name(), number, this.worker, this.error)) {
				logger.warn("Backfill migration '{}': failure of chunk {} not recorded, its lease had passed on",
						this.target.name(), number);
			}
		}
		catch (DataAccessException ex) {
			logger.error("Backfill migration '{}': could not record the failure of chunk {}: {}", this.target.name(),
					number, FailureText.describe(ex));
		}
	}

	long rows() {
		return this.rows;
	}

	long batches() {
		return this.batches;
	}

	@Nullable String error() {
		return this.error;
	}

	@Nullable RuntimeException failure() {
		return this.failure;
	}

}
