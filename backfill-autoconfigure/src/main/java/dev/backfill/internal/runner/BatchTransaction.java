package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.Collections;
import java.util.function.Supplier;

import dev.backfill.internal.progress.RunProgress;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.internal.store.BatchLimits;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.internal.store.RunFigures;
import dev.backfill.internal.store.SqlDialect.InlineLimits;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt at one batch, in the database: read the batch after the checkpoint, pass it
 * to {@code migrate}, save the checkpoint (renewing the lease), all in one transaction
 * with the batch's limits; or, for a migration that is not transactional, reading and
 * checkpointing in transactions of their own around {@code migrate}.
 */
final class BatchTransaction {

	private static final Logger logger = LoggerFactory.getLogger(BatchTransaction.class);

	private static final Runnable NO_RESTORE = () -> {
	};

	private final MigrationTarget target;

	private final MigrationSettings settings;

	private final MigrationStore store;

	private final BatchQuery query;

	private final Key key;

	private final String owner;

	private final LeaseHeartbeat heartbeat;

	/** Ends a pass of a single walk (the verify pass); {@code null} for a chunk. */
	private final @Nullable EndOfPass endOfPass;

	private final CheckpointWriter checkpoints;

	/** The chunk's key range, or {@code null} for the whole migration as one keyset walk. */
	private final @Nullable KeyRange range;

	private final BatchLimits limits;

	/** Whether the limits take a statement of their own (they do not when they ride on the SELECT). */
	private final boolean limitsStatement;

	/** Figures saved with the checkpoints: the single walk's, or the chunk worker's. */
	private final RunProgress progress;

	/** The batch as one statement, for a set-based migration where the database can. */
	private final @Nullable SingleStatementBatch singleStatement;

	BatchTransaction(MigrationTarget target, BatchQuery query, Key key, String owner, Duration leaseDuration,
			LeaseHeartbeat heartbeat, BatchLimits limits, @Nullable InlineLimits inlineLimits, RunProgress progress) {
		this(target, query, key, owner, heartbeat, limits, inlineLimits, null,
				(next, previousBatches, completed, figures) -> target.database()
					.store()
					.saveCheckpoint(target.name(), owner, next, previousBatches, leaseDuration, completed, figures),
				new EndOfPass(target, query, owner, leaseDuration), progress,
				SingleStatementBatch.of(target, query, key, owner,
						(from, figures, lastKeyText, batchRows) -> target.database()
							.store()
							.checkpointAfterBatch(target.name(), owner, from, leaseDuration, figures, lastKeyText,
									batchRows),
						null));
	}

	/**
	 * Creates the batches of one chunk of a migration.
	 * @param owner the chunk's worker, for messages
	 * @param range the chunk's key range
	 * @param progress the worker's progress, whose figures each checkpoint is given
	 * @param checkpoints saves the chunk's checkpoint
	 * @param checkpointInStatement the chunk's checkpoint inside a batch run as one statement
	 */
	BatchTransaction(MigrationTarget target, BatchQuery query, Key key, String owner, LeaseHeartbeat heartbeat,
			BatchLimits limits, @Nullable InlineLimits inlineLimits, KeyRange range, RunProgress progress,
			CheckpointWriter checkpoints, CheckpointInStatement checkpointInStatement) {
		this(target, query, key, owner, heartbeat, limits, inlineLimits, range, checkpoints, null, progress,
				SingleStatementBatch.of(target, query, key, owner, checkpointInStatement, range));
	}

	private BatchTransaction(MigrationTarget target, BatchQuery query, Key key, String owner,
			LeaseHeartbeat heartbeat, BatchLimits limits, @Nullable InlineLimits inlineLimits,
			@Nullable KeyRange range, CheckpointWriter checkpoints, @Nullable EndOfPass endOfPass,
			RunProgress progress, @Nullable SingleStatementBatch singleStatement) {
		this.target = target;
		this.settings = target.settings();
		this.store = target.database().store();
		this.query = query;
		this.key = key;
		this.owner = owner;
		this.heartbeat = heartbeat;
		this.limits = limits;
		this.limitsStatement = (inlineLimits == null);
		this.progress = progress;
		this.range = range;
		this.checkpoints = checkpoints;
		this.endOfPass = endOfPass;
		this.singleStatement = singleStatement;
	}

	/**
	 * Runs the batch after a position.
	 * @param from where the migration stands
	 * @param attempts the batch's attempts, told the keys it read
	 * @param batchSize the batch's size
	 * @return where the batch left the migration
	 * @throws LeaseLostException if the checkpoint was refused: the batch is rolled back
	 */
	Position run(Position from, BatchAttempts attempts, int batchSize) {
		if (this.singleStatement != null) {
			try {
				return inTransaction(() -> inOneStatement(from, attempts, batchSize));
			}
			catch (RuntimeException ex) {
				throw withKeysOfFailedBatch(ex, from, attempts, batchSize);
			}
		}
		if (this.settings.transactional()) {
			return inTransaction(() -> checkpoint(from, migrated(fetch(from, attempts, batchSize))));
		}
		Batch batch = inTransaction(() -> fetch(from, attempts, batchSize));
		migrated(batch);
		return inTransaction(() -> checkpoint(from, batch));
	}

	/**
	 * Runs the batch after a position as a dry run: read, migrate, roll back; nothing is
	 * saved, the checkpoint included.
	 * @param from where the dry run stands
	 * @param attempts the batch's attempts, told the keys it read
	 * @param batchSize the batch's size
	 * @return where the batch would have left the migration, and the rows it touched
	 */
	DryRunBatch dryRun(Position from, BatchAttempts attempts, int batchSize) {
		return inTransaction(true, () -> {
			Batch batch = fetch(from, attempts, batchSize);
			int touched = batch.isEmpty() ? 0 : migrate(batch);
			return new DryRunBatch(next(from, batch), batch.rows().size(), touched);
		});
	}

	private <T> T inTransaction(Supplier<T> work) {
		return inTransaction(false, work);
	}

	private <T> T inTransaction(boolean rollBack, Supplier<T> work) {
		return inTransaction(this.target.database(), this.limitsStatement ? this.limits : null, rollBack, work);
	}

	/**
	 * Runs work in a transaction of its own under a migration's batch limits, as a batch
	 * runs.
	 * @param database the migration's database
	 * @param limits the limits to apply by a statement of their own, or {@code null} when
	 * they ride on the work's statements or there are none
	 * @param rollBack whether to roll the transaction back in the end
	 * @param work the work
	 * @return what the work returned
	 */
	static <T> T inTransaction(MigrationDatabase database, @Nullable BatchLimits limits, boolean rollBack,
			Supplier<T> work) {
		return database.transactions().execute((status) -> {
			if (rollBack) {
				status.setRollbackOnly();
			}
			Runnable restore = (limits != null) ? database.store().dialect().applyLimits(database.jdbc(), limits)
					: NO_RESTORE;
			try {
				return work.get();
			}
			finally {
				restoreQuietly(restore);
			}
		});
	}

	private Batch fetch(Position from, BatchAttempts attempts, int batchSize) {
		long number = from.checkpoint().batches() + 1;
		Batch batch = (this.range != null)
				? this.query.fetch(this.target.database().jdbc(), from.lastKey(), this.range, this.key, number,
						batchSize)
				: this.query.fetch(this.target.database().jdbc(), from.lastKey(), this.key, number, batchSize);
		if (!batch.isEmpty()) {
			attempts.keys(this.query.keyOf(batch.firstRow()), this.query.keyOf(batch.lastRow()));
		}
		return batch;
	}

	/**
	 * The batch read, updated and checkpointed by one statement; a last batch then
	 * completes the migration's pass or the chunk, an empty one by the usual checkpoint.
	 */
	private Position inOneStatement(Position from, BatchAttempts attempts, int batchSize) {
		Batch batch = this.singleStatement.run(this.target.database().jdbc(), from, batchSize,
				this.progress.figuresBeforeBatch());
		if (batch.isEmpty()) {
			return checkpoint(from, batch);
		}
		attempts.keys(this.query.keyOf(batch.firstRow()), this.query.keyOf(batch.lastRow()));
		Position next = from.after(this.query.keyOf(batch.lastRow()), this.key, batch.rows().size(),
				batch.last());
		if (batch.last()) {
			this.query.refuseNullKeys(this.target.database().jdbc());
			// The statement saved this batch's checkpoint: the end of the pass, or the chunk's
			// completion, is fenced on it.
			RunFigures figures = this.progress.figures(batch.rows().size());
			if (this.endOfPass != null) {
				next = this.endOfPass.finish(next, next, figures);
			}
			else if (!this.checkpoints.save(next.checkpoint(), next.checkpoint().batches(), true, figures)) {
				throw new LeaseLostException(this.target.name(), this.owner);
			}
		}
		committed(next, batch.rows().size());
		return next;
	}

	/**
	 * A statement that failed before returning the batch's keys leaves them unknown: one
	 * read of them, in a transaction of its own, names the failed batch's keys as the
	 * other batches' failures do.
	 */
	private RuntimeException withKeysOfFailedBatch(RuntimeException ex, Position from, BatchAttempts attempts,
			int batchSize) {
		if (!(ex instanceof LeaseLostException)) {
			try {
				inTransaction(() -> fetch(from, attempts, batchSize));
			}
			catch (RuntimeException readFailure) {
				ex.addSuppressed(readFailure);
			}
		}
		return ex;
	}

	/** Passes a batch to {@code migrate}; returns the rows it touched. */
	private int migrate(Batch batch) {
		try {
			return this.target.migrate(Collections.unmodifiableList(batch.rows()));
		}
		catch (RuntimeException ex) {
			throw ex;
		}
		catch (Exception ex) {
			throw new MigrateException(ex);
		}
	}

	private Batch migrated(Batch batch) {
		if (!batch.isEmpty()) {
			migrate(batch);
		}
		return batch;
	}

	private Position next(Position from, Batch batch) {
		return batch.isEmpty() ? from.completedHere()
				: from.after(this.query.keyOf(batch.lastRow()), this.key, batch.rows().size(), batch.last());
	}

	private Position checkpoint(Position from, Batch batch) {
		int rows = batch.rows().size();
		Position next = next(from, batch);
		RunFigures figures = this.progress.figures(rows);
		if (batch.last()) {
			// Rows inserted during the run with a NULL key: refuse to complete without them.
			this.query.refuseNullKeys(this.target.database().jdbc());
		}
		if (batch.last() && this.endOfPass != null) {
			next = this.endOfPass.finish(from, next, figures);
		}
		else if (!this.checkpoints.save(next.checkpoint(), from.checkpoint().batches(), batch.last(), figures)) {
			throw new LeaseLostException(this.target.name(), this.owner);
		}
		committed(next, rows);
		return next;
	}

	private void committed(Position next, int rows) {
		this.heartbeat.renewed();
		if (logger.isDebugEnabled()) {
			logger.debug("Backfill migration '{}': batch {} committed, {} rows, up to key {}", this.target.name(),
					next.checkpoint().batches(), rows, next.checkpoint().lastKey());
		}
	}

	private static void restoreQuietly(Runnable restore) {
		try {
			restore.run();
		}
		catch (RuntimeException ex) {
			// The connection may be gone with the batch; a live one keeps the settings.
			logger.debug("Could not restore the connection's settings after a batch: {}", ex.getMessage());
		}
	}

}
