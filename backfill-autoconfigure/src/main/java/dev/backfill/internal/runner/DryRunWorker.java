package dev.backfill.internal.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import dev.backfill.BackfillThrottle;
import dev.backfill.MigrationListener;
import dev.backfill.internal.progress.RunProgress;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.internal.store.BatchLimits;
import dev.backfill.internal.store.MigrationState;
import dev.backfill.internal.store.SqlDialect.InlineLimits;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a migration as a dry run ({@code backfill.dry-run}): every batch a real run would
 * run, from where a real run would start (its checkpoint), each rolled back, and the log
 * states how many rows each batch would have touched and how many rows the base query
 * returns. The cursor advances in memory to the end of the table. The tracking row is
 * neither created nor changed and no lease is taken: a dry run beside another dry run is
 * harmless, and one beside a real run is not started (its rolled-back writes would wait
 * for the real run's locks and hold up its batches). Batches are throttled as a real run's
 * are; a failure ends the dry run at once, without retries, and is not recorded.
 */
final class DryRunWorker {

	private static final Logger logger = LoggerFactory.getLogger(DryRunWorker.class);

	private static final String OWNER = "dry-run";

	private final MigrationTarget target;

	private final MigrationSettings settings;

	private final RunnerSettings runnerSettings;

	private final StopSignal stop;

	private final BatchLimits limits;

	private final @Nullable InlineLimits inlineLimits;

	private final BatchSizer sizer;

	private final BatchQuery query;

	private final Throttles throttles;

	DryRunWorker(MigrationTarget target, RunnerSettings runnerSettings, MigrationListener listener, StopSignal stop,
			List<BackfillThrottle> throttles) {
		this.target = target;
		this.settings = target.settings();
		this.runnerSettings = runnerSettings;
		this.stop = stop;
		this.limits = this.settings.limits(runnerSettings.leaseDuration());
		this.inlineLimits = target.database().store().dialect().inlineLimits(this.limits);
		this.sizer = BatchSizer.of(this.settings);
		this.query = BatchQuery.of(target, this.sizer.size(), this.inlineLimits);
		this.throttles = new Throttles(throttles, target.name(), target.database().dataSource(), listener, stop);
	}

	/**
	 * Refuses a dry run of a migration that is not transactional: its {@code migrate} runs
	 * outside the batch's transaction, so its writes could not be rolled back.
	 * @param settings the migration's settings
	 * @throws InvalidMigrationException if it is such a dry run
	 */
	static void refuseUnlessTransactional(MigrationSettings settings) {
		if (settings.dryRun() && !settings.transactional()) {
			throw new InvalidMigrationException("Migration '" + settings.name() + "' cannot run as a dry run: it is "
					+ "not transactional (transactional=false), so its writes commit on their own and could not be "
					+ "rolled back",
					"Set backfill.migrations." + settings.name() + ".dry-run=false, or make the migration "
							+ "transactional for the dry run (backfill.migrations." + settings.name()
							+ ".transactional=true).",
					null);
		}
	}

	/**
	 * Runs the dry run.
	 * @param state the migration's tracking row, if it has one
	 * @return how it ended: {@link MigrationResult.Outcome#DRY_RUN} once the cursor reached
	 * the end
	 */
	MigrationResult run(Optional<MigrationState> state) {
		long started = System.nanoTime();
		String name = this.target.name();
		if (state.isPresent() && state.get().isCompleted()) {
			logger.info("Backfill migration '{}' has completed: a real run would do nothing, so no dry run", name);
			return MigrationResult.of(name, MigrationResult.Outcome.ALREADY_COMPLETED);
		}
		if (state.isPresent() && isLeased(state.get())) {
			logger.info("Backfill migration '{}' is being run by instance {}: no dry run beside it", name,
					state.get().leaseOwner());
			return MigrationResult.of(name, MigrationResult.Outcome.RUNNING_ELSEWHERE);
		}
		Position position = null;
		long rows = 0;
		long touched = 0;
		long batches = 0;
		try {
			Key key = this.query.describe(this.target.database().jdbc(),
					new TransientFailures(this.target.database().store().dialect()));
			// Its figures are never saved: a dry run writes no checkpoint.
			BatchTransaction transaction = new BatchTransaction(this.target, this.query, key, OWNER,
					this.runnerSettings.leaseDuration(), unstartedHeartbeat(), this.limits, this.inlineLimits,
					new RunProgress(name, this.runnerSettings.progressLogInterval()));
			this.query.refuseNullKeys(this.target.database().jdbc());
			long total = this.query.count(this.target.database().jdbc());
			position = state.map((row) -> Position.of(row, key)).orElse(Position.START);
			logStart(position, total);
			while (!position.completed()) {
				if (this.stop.isRequested()) {
					logger.info("Backfill migration '{}' dry run stopped after {} batches; nothing was saved", name,
							batches);
					return result(MigrationResult.Outcome.STOPPED, rows, batches, started);
				}
				if (this.throttles.awaitGo(position.checkpoint().batches() + 1)) {
					continue;
				}
				BatchAttempts attempt = new BatchAttempts(position);
				long batchStarted = System.nanoTime();
				DryRunBatch batch = transaction.dryRun(position, attempt, this.sizer.size());
				Duration took = Duration.ofNanos(System.nanoTime() - batchStarted);
				this.sizer.measured(batch.rows(), took);
				this.throttles.batchTook(took);
				if (batch.rows() > 0) {
					batches++;
					rows += batch.rows();
					touched += batch.touched();
					logger.info("Backfill migration '{}' dry run: batch {} would have touched {} rows ({} read); "
							+ "rolled back", name, attempt.description(), batch.touched(), batch.rows());
				}
				position = batch.next();
				if (!position.completed()) {
					this.stop.await(this.settings.throttle());
				}
			}
			logger.info("Backfill migration '{}' dry run done: {} batches would have touched {} rows ({} read) of "
					+ "the {} rows its base query returns; every batch was rolled back, nothing was saved", name,
					batches, touched, rows, total);
			return result(MigrationResult.Outcome.DRY_RUN, rows, batches, started);
		}
		catch (RuntimeException ex) {
			String error = "Dry run of migration '" + name + "' failed"
					+ ((position != null) ? " after key " + position.checkpoint().lastKey() : "") + ": "
					+ FailureText.describe(ex) + "; nothing was saved";
			logger.error(error, FailureText.rootOf(ex));
			return new MigrationResult(name, MigrationResult.Outcome.FAILED, rows, batches, since(started), error, ex);
		}
	}

	/** Whether another instance holds an unexpired lease: a real run is going on. */
	private static boolean isLeased(MigrationState state) {
		return state.leaseOwner() != null && state.leaseExpiresAt() != null
				&& state.leaseExpiresAt().isAfter(Instant.now());
	}

	/** A dry run holds no lease: its batches never checkpoint, so this is never renewed. */
	private LeaseHeartbeat unstartedHeartbeat() {
		return new LeaseHeartbeat(this.target.database().store(), this.target.name(), OWNER,
				this.runnerSettings.leaseDuration());
	}

	private void logStart(Position start, long total) {
		String from = (start.checkpoint().lastKey() != null)
				? ", from after key " + start.checkpoint().lastKey() + " as a real run would resume" : "";
		logger.info("Backfill migration '{}' dry run starting{}: its base query returns {} rows (the estimated "
				+ "total); every batch is rolled back, nothing is saved", this.target.name(), from, total);
	}

	private MigrationResult result(MigrationResult.Outcome outcome, long rows, long batches, long startedNanos) {
		return new MigrationResult(this.target.name(), outcome, rows, batches, since(startedNanos), null, null);
	}

	private static Duration since(long startedNanos) {
		return Duration.ofNanos(System.nanoTime() - startedNanos);
	}

}
