package dev.backfill.internal.runner;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import dev.backfill.BackfillMode;
import dev.backfill.BackfillThrottle;
import dev.backfill.MigrationListener;
import dev.backfill.MigrationStatus;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.internal.store.ChunkStore;
import dev.backfill.internal.store.MigrationState;
import dev.backfill.internal.store.MigrationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs migrations one after another, each on at most one instance at a time: an instance
 * takes a migration's lease in the tracking table before running it and gives it up when
 * done; a lease that is not renewed expires and another instance takes over from the
 * checkpoint.
 *
 * @since 0.1.0
 */
public final class BackfillRunner {

	private static final Logger logger = LoggerFactory.getLogger(BackfillRunner.class);

	private final List<MigrationTarget> targets;

	private final RunnerSettings settings;

	private final MigrationListener listener;

	private final List<BackfillThrottle> throttles;

	private final BatchObserver observer;

	private final String owner;

	private final StopSignal stop = new StopSignal();

	/**
	 * Creates a runner.
	 * @param targets the migrations, in the order they run
	 * @param settings the shared settings
	 * @param listener what to tell about batches
	 */
	public BackfillRunner(List<MigrationTarget> targets, RunnerSettings settings, MigrationListener listener) {
		this(targets, settings, listener, List.of());
	}

	/**
	 * Creates a runner whose migrations ask throttles before each batch.
	 * @param targets the migrations, in the order they run
	 * @param settings the shared settings
	 * @param listener what to tell about batches
	 * @param throttles what to ask before each batch, in this order; none costs nothing
	 */
	public BackfillRunner(List<MigrationTarget> targets, RunnerSettings settings, MigrationListener listener,
			List<BackfillThrottle> throttles) {
		this(targets, settings, listener, throttles, BatchObserver.NONE);
	}

	/**
	 * Creates a runner whose batches are observed.
	 * @param targets the migrations, in the order they run
	 * @param settings the shared settings
	 * @param listener what to tell about batches
	 * @param throttles what to ask before each batch, in this order; none costs nothing
	 * @param observer what wraps each attempt at a batch (an observation, a span)
	 */
	public BackfillRunner(List<MigrationTarget> targets, RunnerSettings settings, MigrationListener listener,
			List<BackfillThrottle> throttles, BatchObserver observer) {
		this.observer = observer;
		this.targets = List.copyOf(targets);
		this.settings = settings;
		this.listener = listener;
		this.throttles = List.copyOf(throttles);
		this.owner = ManagementFactory.getRuntimeMXBean().getName() + "#"
				+ UUID.randomUUID().toString().substring(0, 8);
	}

	/**
	 * This instance's owner id, as written to {@code lease_owner}.
	 * @return the owner id
	 */
	public String owner() {
		return this.owner;
	}

	/**
	 * The migrations, in the order they run.
	 * @return the targets
	 */
	public List<MigrationTarget> targets() {
		return this.targets;
	}

	/**
	 * Runs every pending migration in order, stopping at the first that fails; a paused one
	 * is passed over with a warning, and those after it run.
	 * @param mode {@link BackfillMode#BLOCKING} waits for migrations another instance is
	 * running and throws on failure; {@link BackfillMode#BACKGROUND} moves on and only logs
	 * @return what happened to each migration that was reached
	 * @throws MigrationFailedException in blocking mode, when a migration fails
	 * @throws LockWaitTimeoutException in blocking mode, when waiting for another instance
	 * times out
	 * @throws dev.backfill.internal.store.TrackingTableMissingException if the tracking
	 * table cannot be read
	 */
	public List<MigrationResult> run(BackfillMode mode) {
		List<MigrationResult> results = new ArrayList<>();
		ScheduledExecutorService heartbeats = newHeartbeats();
		try {
			for (MigrationTarget target : this.targets) {
				if (this.stop.isRequested()) {
					break;
				}
				MigrationResult result = runOne(target, mode, heartbeats);
				results.add(result);
				if (result.outcome() == MigrationResult.Outcome.FAILED) {
					if (mode == BackfillMode.BLOCKING) {
						throw new MigrationFailedException(target.name(), result.error(), result.failure());
					}
					logger.error("Backfill stops after the failure of migration '{}'; the migrations after it "
							+ "run on the next start", target.name());
					break;
				}
			}
			return results;
		}
		finally {
			heartbeats.shutdownNow();
		}
	}

	/**
	 * Watches for migrations made runnable by an operator after the startup pass (resumed,
	 * retried or rerun, on any instance): every {@link RunnerSettings#pollInterval() poll
	 * interval} it reads the tracking rows (one query per DataSource) and runs, in order,
	 * each migration that is {@code PENDING} (or has no row yet), until {@link #stop()}.
	 * It also takes over a {@code RUNNING} migration whose owner stopped renewing its lease
	 * (it died): one run as one keyset walk once that lease has expired, from its
	 * checkpoint; one run in chunks once a chunk is free or its lease expired, joining the
	 * other instances' workers, or once every chunk has completed a lease ago or more
	 * without the pass being ended. Paused migrations and those another instance runs are
	 * passed over; a {@code FAILED} one is not run again until retried (it would fail again
	 * every round), and the migrations after it wait for it, as on startup.
	 * @return the results of the migrations it ran, once stopped
	 */
	public List<MigrationResult> watch() {
		List<MigrationResult> results = new ArrayList<>();
		ScheduledExecutorService heartbeats = newHeartbeats();
		try {
			while (!this.stop.await(this.settings.pollInterval())) {
				try {
					runPending(heartbeats, results);
				}
				catch (RuntimeException ex) {
					logger.warn("Backfill could not look for runnable migrations; trying again in {} ms: {}",
							this.settings.pollInterval().toMillis(), FailureText.describe(ex));
				}
			}
			return results;
		}
		finally {
			heartbeats.shutdownNow();
		}
	}

	private void runPending(ScheduledExecutorService heartbeats, List<MigrationResult> results) {
		Map<MigrationStore, Map<String, MigrationState>> rows = new IdentityHashMap<>();
		for (MigrationTarget target : this.targets) {
			if (this.stop.isRequested()) {
				return;
			}
			// A dry run walked its keys in the startup pass; it leaves no row, so it would look
			// never reached, and run again, every round.
			if (!target.settings().enabled() || target.settings().dryRun()) {
				continue;
			}
			MigrationState state = rows.computeIfAbsent(target.database().store(), MigrationStore::findAll)
				.get(target.name());
			MigrationStatus status = (state != null) ? state.status() : MigrationStatus.PENDING;
			if (status == MigrationStatus.FAILED) {
				return;
			}
			boolean abandoned = status == MigrationStatus.RUNNING && isAbandoned(target, state);
			if (abandoned) {
				logger.info("Backfill migration '{}' is running, but {}; taking it over", target.name(),
						ChunkStore.CHUNK_WORKERS.equals(state.leaseOwner()) ? "part of it is left to no worker "
								+ "(a chunk free or its lease expired, or every chunk completed)"
								: "the lease of " + state.leaseOwner() + " expired");
			}
			if (status == MigrationStatus.PENDING || abandoned) {
				MigrationResult result = runOne(target, BackfillMode.BACKGROUND, heartbeats);
				results.add(result);
				if (result.outcome() == MigrationResult.Outcome.FAILED) {
					return;
				}
			}
		}
	}

	/**
	 * Whether a {@code RUNNING} migration has work nobody is doing: run as one keyset walk,
	 * its lease expired; run in chunks, a chunk is free or expired (or every chunk has
	 * completed and the migration was not marked so). Asked of the database, by its clock,
	 * with the condition the takeover itself is conditioned on, so that a local clock that
	 * disagrees never makes the watcher try, and log, every round; one query per round (of
	 * the row by primary key, or of the chunk rows) for each migration another instance
	 * runs. A dry run takes no lease, so leaves nothing to take over.
	 */
	private boolean isAbandoned(MigrationTarget target, MigrationState state) {
		if (target.settings().dryRun()) {
			return false;
		}
		if (ChunkStore.CHUNK_WORKERS.equals(state.leaseOwner())) {
			// Without parallelism this instance could not take part in a run in chunks.
			return target.settings().parallelism() > 1 && target.database()
				.chunks()
				.hasWorkToJoin(target.name(), this.settings.leaseDuration());
		}
		return target.database().store().isAbandoned(target.name());
	}

	private static ScheduledExecutorService newHeartbeats() {
		return Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "backfill-lease");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Asks the runner to stop between batches, leaving running migrations {@code PENDING}
	 * and resumable. Returns at once.
	 */
	public void stop() {
		this.stop.request();
	}

	private MigrationResult runOne(MigrationTarget target, BackfillMode mode, ScheduledExecutorService heartbeats) {
		String name = target.name();
		this.listener.migrationReached(name);
		if (!target.settings().enabled()) {
			logger.info("Backfill migration '{}' is disabled", name);
			return MigrationResult.of(name, MigrationResult.Outcome.DISABLED);
		}
		MigrationStore store = target.database().store();
		if (target.settings().dryRun()) {
			// The tracking row is read, not created: a dry run leaves the table as it was. It walks
			// the keys on one worker whatever the parallelism: nothing is saved to share.
			return new DryRunWorker(target, this.settings, this.listener, this.stop, this.throttles)
				.run(store.find(name));
		}
		if (target.settings().parallelism() > 1) {
			return new ParallelMigrationRun(target, this.settings, this.owner, this.listener, this.stop, heartbeats,
					this.throttles, this.observer)
				.run(mode);
		}
		MigrationState state = store.findOrCreate(name);
		// Set when waiting starts, not before a run of this instance's own that lost its lease.
		Long deadline = null;
		while (true) {
			if (state.status() == MigrationStatus.PAUSED) {
				logger.warn("Backfill migration '{}' is paused{}; passing over it until it is resumed", name,
						(state.pausedBy() != null) ? " by " + state.pausedBy() : "");
				return MigrationResult.of(name, MigrationResult.Outcome.PAUSED);
			}
			if (state.isCompleted()) {
				logger.debug("Backfill migration '{}' has already completed", name);
				return MigrationResult.of(name, MigrationResult.Outcome.ALREADY_COMPLETED);
			}
			if (store.tryAcquire(name, this.owner, this.settings.leaseDuration())) {
				MigrationResult result = new MigrationWorker(target, this.settings, this.owner, this.listener,
						this.stop, heartbeats, this.throttles, this.observer)
					.run(store.find(name).orElseThrow());
				if (result.outcome() != MigrationResult.Outcome.RUNNING_ELSEWHERE || mode == BackfillMode.BACKGROUND) {
					return result;
				}
			}
			else if (mode == BackfillMode.BACKGROUND) {
				logger.info("Backfill migration '{}' is being run by another instance; moving on", name);
				return MigrationResult.of(name, MigrationResult.Outcome.RUNNING_ELSEWHERE);
			}
			state = store.find(name).orElseThrow();
			if (!state.isCompleted()) {
				if (deadline == null) {
					deadline = System.nanoTime() + this.settings.lockWaitTimeout().toNanos();
					logger.info("Backfill migration '{}' is being run by instance {}; waiting for it to complete",
							name, state.leaseOwner());
				}
				else if (System.nanoTime() - deadline > 0) {
					throw new LockWaitTimeoutException(state, this.settings.lockWaitTimeout());
				}
				if (this.stop.await(this.settings.pollInterval())) {
					return MigrationResult.of(name, MigrationResult.Outcome.STOPPED);
				}
				state = store.find(name).orElseThrow();
			}
		}
	}

}
