package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.function.Supplier;

import dev.backfill.internal.runner.TransientFailures.IdleEnd;

import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionSystemException;

/**
 * What a failed attempt at a batch comes to, before it is retried or fails the migration:
 * the batch's own failure rather than a failed rollback's, and a transaction that the
 * database's idle-transaction guard ended turned into a failure that is not retried. The
 * guard is concluded at once only when the database says so; a lost connection after the
 * batch ran as long as the lease is only suspected (a failover or a killed connection
 * looks the same, and the heartbeat lets a busy batch run that long), retried once, and
 * concluded when the retry ends the same way.
 */
final class AttemptFailures {

	private final String migration;

	private final boolean transactional;

	private final Duration leaseDuration;

	private final String database;

	private final TransientFailures transientFailures;

	AttemptFailures(String migration, boolean transactional, Duration leaseDuration, String database,
			TransientFailures transientFailures) {
		this.migration = migration;
		this.transactional = transactional;
		this.leaseDuration = leaseDuration;
		this.database = database;
		this.transientFailures = transientFailures;
	}

	/**
	 * What an attempt's failure comes to, recorded in the batch's attempts.
	 * @param ex what the attempt threw
	 * @param took how long the attempt ran
	 * @param attempts the batch's attempts, the failed one last begun
	 * @param reload reads the checkpoint in the database; throws
	 * {@link LeaseLostException} if this instance lost the lease
	 * @return the failure to retry or fail the migration with
	 */
	RuntimeException of(RuntimeException ex, Duration took, BatchAttempts attempts, Supplier<Position> reload) {
		RuntimeException failure = batchFailureOf(ex);
		// Only a transaction spanning migrate can sit idle, and for no longer than it ran.
		boolean couldHaveSatIdle = this.transactional && took.compareTo(this.leaseDuration) >= 0;
		IdleEnd end = this.transientFailures.idleTransactionEnd(failure, couldHaveSatIdle);
		if (end == null) {
			attempts.failed(failure);
			return failure;
		}
		Position now;
		try {
			now = reload.get();
		}
		catch (LeaseLostException lost) {
			// This instance was frozen meanwhile and another one took over: cut off, not failed.
			attempts.failed(lost);
			return lost;
		}
		catch (DataAccessException unknown) {
			// Cannot tell; a retry reads the checkpoint again.
			failure.addSuppressed(unknown);
			attempts.failed(failure);
			return failure;
		}
		Position from = attempts.from();
		if (now.completed() || now.checkpoint().batches() > from.checkpoint().batches() || now.pass() > from.pass()) {
			// The batch committed and its acknowledgement was lost: the guard never ends a
			// transaction that committed. The retry goes on from the checkpoint.
			attempts.failed(failure);
			return failure;
		}
		if (!end.certain() && !attempts.lastSuspectedIdleEnd()) {
			attempts.failedSuspectedIdleEnd(failure);
			return failure;
		}
		// Every retry would sit idle as long again.
		RuntimeException outlasted = new BatchOutlastedLeaseException(this.migration, this.leaseDuration, took,
				this.database, end.report(), end.certain(), failure);
		attempts.failed(outlasted);
		return outlasted;
	}

	/**
	 * When the transaction's connection is gone, rolling back fails too, and
	 * {@code TransactionTemplate} throws that failure, keeping the batch's own as its
	 * application exception: that one says what happened.
	 */
	private static RuntimeException batchFailureOf(RuntimeException ex) {
		if (ex instanceof TransactionSystemException rollback
				&& rollback.getApplicationException() instanceof RuntimeException batchFailure) {
			batchFailure.addSuppressed(rollback);
			return batchFailure;
		}
		return ex;
	}

}
