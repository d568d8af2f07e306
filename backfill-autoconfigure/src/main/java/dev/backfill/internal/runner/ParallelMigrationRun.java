package dev.backfill.internal.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

import dev.backfill.BackfillMode;
import dev.backfill.BackfillThrottle;
import dev.backfill.MigrationListener;
import dev.backfill.MigrationStatus;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.internal.store.ChunkRange;
import dev.backfill.internal.store.ChunkState;
import dev.backfill.internal.store.ChunkStore;
import dev.backfill.internal.store.MigrationState;
import dev.backfill.internal.store.MigrationStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;

/**
 * Runs one migration with {@code parallelism} above 1 on this instance, together with the
 * other instances that run it: the instance that takes the migration's lease while it has
 * no chunks splits it (in one transaction with marking it {@code RUNNING} by the chunk
 * workers, so exactly one instance splits), having taken its estimated total first; then
 * every instance's workers claim and run chunks until none is free, and whichever finds
 * every chunk completed ends the pass: counts the rows the base query still returns and
 * marks the migration {@code COMPLETED}, or, with a sweep, splits the next pass. In
 * blocking mode an instance goes on claiming, every poll interval, until the migration has
 * completed: the chunks of an instance that died become free when their leases expire,
 * and are run from their checkpoints. A paused migration is passed over, as a single walk
 * is.
 */
final class ParallelMigrationRun {

	private static final Logger logger = LoggerFactory.getLogger(ParallelMigrationRun.class);

	private final MigrationTarget target;

	private final RunnerSettings runnerSettings;

	private final String owner;

	private final MigrationListener listener;

	/** Told by every worker: the outer listener and the migration's progress line. */
	private final MigrationListener workerListener;

	private final StopSignal stop;

	private final ScheduledExecutorService heartbeats;

	private final List<BackfillThrottle> throttles;

	private final MigrationStore store;

	private final ChunkStore chunks;

	private final int parallelism;

	private final BatchQuery query;

	private final AtomicInteger activeWorkers = new AtomicInteger();

	private @Nullable Key key;

	private long rows;

	private long batches;

	/** Wraps each attempt at a batch of every chunk. */
	private final BatchObserver observer;

	ParallelMigrationRun(MigrationTarget target, RunnerSettings runnerSettings, String owner,
			MigrationListener listener, StopSignal stop, ScheduledExecutorService heartbeats,
			List<BackfillThrottle> throttles, BatchObserver observer) {
		this.observer = observer;
		this.target = target;
		this.runnerSettings = runnerSettings;
		this.owner = owner;
		this.listener = listener;
		this.workerListener = new CompositeMigrationListener(
				List.of(listener, new ChunkProgressLine(target, runnerSettings.progressLogInterval())));
		this.stop = stop;
		this.heartbeats = heartbeats;
		this.throttles = throttles;
		this.store = target.database().store();
		this.chunks = target.database().chunks();
		this.parallelism = target.settings().parallelism();
		this.query = new BatchQuery(target.name(), target.migration().baseQuery(), target.settings().keyColumns(),
				target.settings().batchSize(), null, this.store.dialect(), true);
	}

	MigrationResult run(BackfillMode mode) {
		long started = System.nanoTime();
		String name = this.target.name();
		MigrationState state = this.store.findOrCreate(name);
		boolean worked = false;
		Long deadline = null;
		while (true) {
			if (state.isCompleted()) {
				if (!worked) {
					return MigrationResult.of(name, MigrationResult.Outcome.ALREADY_COMPLETED);
				}
				MigrationResult result = result(MigrationResult.Outcome.COMPLETED, started, null, null);
				logger.info("Backfill migration '{}' completed: {} rows in {} batches by this instance's {} workers "
						+ "in {} ms", name, this.rows, this.batches, this.parallelism, result.duration().toMillis());
				return result;
			}
			if (this.stop.isRequested()) {
				return result(MigrationResult.Outcome.STOPPED, started, null, null);
			}
			if (state.status() == MigrationStatus.PAUSED) {
				return passOverPaused(state, worked, started, null, null);
			}
			if (worked && state.status() == MigrationStatus.FAILED) {
				return result(MigrationResult.Outcome.FAILED, started, state.lastError(), null);
			}
			if (runsInChunks(state)) {
				try {
					MigrationResult failed = runWorkers(started);
					worked = true;
					if (failed != null) {
						// A chunk that failed while a pause landed leaves the migration paused.
						state = this.store.find(name).orElseThrow();
						return (state.status() == MigrationStatus.PAUSED)
								? passOverPaused(state, true, started, failed.error(), failed.failure()) : failed;
					}
				}
				catch (InvalidMigrationException ex) {
					this.chunks.failMigration(name, ex.getMessage());
					logger.error(ex.getMessage());
					return result(MigrationResult.Outcome.FAILED, started, ex.getMessage(), ex);
				}
				if (endPass(state.pass())) {
					state = this.store.find(name).orElseThrow();
					continue;
				}
			}
			else if (state.status() == MigrationStatus.PENDING && ChunkStore.CHUNK_WORKERS.equals(state.leaseOwner())) {
				// Resumed after a pause: its chunks wait with their checkpoints.
				this.chunks.resume(name);
				state = this.store.find(name).orElseThrow();
				continue;
			}
			else if (this.store.tryAcquire(name, this.owner, this.runnerSettings.leaseDuration())) {
				try {
					start(state);
				}
				catch (InvalidMigrationException ex) {
					this.store.fail(name, this.owner, ex.getMessage());
					logger.error(ex.getMessage());
					return result(MigrationResult.Outcome.FAILED, started, ex.getMessage(), ex);
				}
				state = this.store.find(name).orElseThrow();
				continue;
			}
			int passBefore = state.pass();
			state = this.store.find(name).orElseThrow();
			// Paused meanwhile (passed over at the top), or another instance started the next pass
			// of a sweep, whose chunks are free: not "every chunk taken".
			if (state.isCompleted() || state.status() == MigrationStatus.PAUSED
					|| (worked && state.status() == MigrationStatus.FAILED)
					|| (runsInChunks(state) && state.pass() != passBefore)) {
				continue;
			}
			if (mode == BackfillMode.BACKGROUND) {
				logger.info("Backfill migration '{}': no chunk is free here, other instances run the rest; moving on",
						name);
				return result(MigrationResult.Outcome.RUNNING_ELSEWHERE, started, null, null);
			}
			if (deadline == null) {
				deadline = System.nanoTime() + this.runnerSettings.lockWaitTimeout().toNanos();
				logger.info("Backfill migration '{}': every chunk is taken; waiting for it to complete, claiming "
						+ "chunks whose workers stop renewing their leases", name);
			}
			else if (System.nanoTime() - deadline > 0) {
				throw new LockWaitTimeoutException(state, this.runnerSettings.lockWaitTimeout());
			}
			if (this.stop.await(this.runnerSettings.pollInterval())) {
				return result(MigrationResult.Outcome.STOPPED, started, null, null);
			}
			state = this.store.find(name).orElseThrow();
		}
	}

	/**
	 * Passes over a paused migration, freeing its lease if this instance holds it (paused
	 * while it split the keys: the split was refused).
	 */
	private MigrationResult passOverPaused(MigrationState state, boolean worked, long started, @Nullable String error,
			@Nullable Throwable failure) {
		String name = this.target.name();
		if (this.owner.equals(state.leaseOwner())) {
			this.store.release(name, this.owner);
		}
		String by = (state.pausedBy() != null) ? " by " + state.pausedBy() : "";
		if (worked) {
			logger.info("Backfill migration '{}' paused{}: this instance's workers stopped after {} rows in {} batches, "
					+ "with their batches in flight rolled back; its chunks resume from their checkpoints", name, by,
					this.rows, this.batches);
		}
		else {
			logger.warn("Backfill migration '{}' is paused{}; passing over it until it is resumed", name, by);
		}
		return result(MigrationResult.Outcome.PAUSED, started, error, failure);
	}

	/**
	 * Ends the pass if every chunk has completed: completes the migration, or starts its
	 * next pass in chunks; a failure to count the rows left or to split fails it.
	 * @param pass the pass the chunks are of, as read before the workers ran
	 * @return whether the migration's row changed: completed, on its next pass, or failed
	 */
	private boolean endPass(int pass) {
		String name = this.target.name();
		try {
			return new ChunkedEndOfPass(this.target, this.query, this.runnerSettings, () -> split(null)).finish(pass);
		}
		catch (DataAccessException ex) {
			String error = "Migration '" + name + "' failed at the end of its pass, once every chunk had completed: "
					+ FailureText.describe(ex);
			logger.error(error, FailureText.rootOf(ex));
			// Not if another instance ended the pass meanwhile: its next pass runs on.
			return this.chunks.failPass(name, pass, error);
		}
	}

	private static boolean runsInChunks(MigrationState state) {
		return state.status() == MigrationStatus.RUNNING && ChunkStore.CHUNK_WORKERS.equals(state.leaseOwner());
	}

	/** Holding the migration's lease: splits it, or starts its chunks again after a failure. */
	private void start(MigrationState state) {
		String name = this.target.name();
		List<ChunkState> existing = this.chunks.findAll(name);
		if (!existing.isEmpty() && (state.batches() == 0 || state.lastKey() != null)
				&& existing.stream().allMatch(ChunkState::isCompleted)) {
			// Its row was reset (deleted, or rerun by an older version) while its chunks stayed
			// completed, and maybe walked some way as one keyset walk since (a last key: a run in
			// chunks keeps none in its row): split it afresh, after that key.
			this.chunks.deleteAll(name);
			existing = List.of();
		}
		if (!existing.isEmpty()) {
			if (this.chunks.restart(name, this.owner)) {
				logger.info("Backfill migration '{}' starting again from its chunks' checkpoints", name);
			}
			return;
		}
		Key type = key();
		List<ChunkRange> ranges = prepareSplit(state, type);
		if (this.chunks.create(name, this.owner, ranges, state.lastKey())) {
			logger.info("Backfill migration '{}' split into {} chunks of its keys{} for {} workers per instance",
					name, ranges.size(), (state.lastKey() != null) ? " after " + state.lastKey() : "",
					this.parallelism);
		}
	}

	/** The chunks of the keys after a checkpoint, or of all of them. */
	private List<ChunkRange> split(@Nullable KeyValue after) {
		return new ChunkSplitter(this.query, key()).split(this.target.database().jdbc(),
				this.parallelism * ChunkSplitter.CHUNKS_PER_WORKER, after);
	}

	/**
	 * Checks the keys, splits them and takes the migration's estimated total, before its
	 * chunks exist, so that no worker has yet migrated a row the base query would no longer
	 * return (the chunks keep the estimate when they start again after a failure). Each is
	 * a scan that may outlast the lease on a large table: a heartbeat keeps it meanwhile, so
	 * that no other instance takes the lease and splits again.
	 */
	private List<ChunkRange> prepareSplit(MigrationState state, Key type) {
		LeaseHeartbeat heartbeat = new LeaseHeartbeat(this.store, this.target.name(), this.owner,
				this.runnerSettings.leaseDuration());
		ScheduledFuture<?> renewals = heartbeat.start(this.heartbeats);
		try {
			this.query.refuseNullKeys(this.target.database().jdbc());
			List<ChunkRange> ranges = split(type.parse(state.lastKey()));
			EstimatedTotal.take(this.target, this.query, Position.of(state, type), this.owner);
			return ranges;
		}
		finally {
			renewals.cancel(false);
		}
	}

	private Key key() {
		if (this.key == null) {
			this.key = this.query.describe(this.target.database().jdbc(),
					new TransientFailures(this.store.dialect()));
		}
		return this.key;
	}

	/** Runs this instance's workers until none finds a free chunk; the first failure, if one failed. */
	private @Nullable MigrationResult runWorkers(long started) {
		Key type = key();
		AtomicInteger threads = new AtomicInteger();
		ExecutorService pool = Executors.newFixedThreadPool(this.parallelism, (task) -> {
			Thread thread = new Thread(task, "backfill-" + this.target.name() + "-" + threads.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
		List<Future<ChunkWorker>> running = new ArrayList<>();
		try {
			for (int i = 1; i <= this.parallelism; i++) {
				ChunkWorker worker = new ChunkWorker(this.target, this.runnerSettings, this.owner + "/" + i, type,
						this.workerListener, this.stop, this.heartbeats, this.throttles, this.observer);
				running.add(pool.submit(() -> runCounted(worker)));
			}
			MigrationResult failed = null;
			for (Future<ChunkWorker> future : running) {
				ChunkWorker worker = join(future);
				this.rows += worker.rows();
				this.batches += worker.batches();
				if (failed == null && worker.error() != null) {
					failed = result(MigrationResult.Outcome.FAILED, started, worker.error(), worker.failure());
				}
			}
			return failed;
		}
		finally {
			pool.shutdownNow();
		}
	}

	private ChunkWorker runCounted(ChunkWorker worker) {
		this.listener.workersChanged(this.target.name(), this.activeWorkers.incrementAndGet());
		try {
			return worker.run();
		}
		finally {
			this.listener.workersChanged(this.target.name(), this.activeWorkers.decrementAndGet());
		}
	}

	private ChunkWorker join(Future<ChunkWorker> future) {
		try {
			return future.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.stop.request();
			throw new IllegalStateException("Interrupted while the workers of migration '" + this.target.name()
					+ "' ran", ex);
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(ex.getCause());
		}
	}

	private MigrationResult result(MigrationResult.Outcome outcome, long startedNanos, @Nullable String error,
			@Nullable Throwable failure) {
		return new MigrationResult(this.target.name(), outcome, this.rows, this.batches, BatchStep.since(startedNanos),
				error, failure);
	}

}
