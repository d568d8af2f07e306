package dev.backfill.internal.runner;

import java.sql.SQLException;
import java.time.Duration;

import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionSystemException;

/**
 * What a failed attempt at a batch comes to, before it is retried or fails the migration:
 * the batch's own failure rather than a failed rollback's, and a transaction that the
 * database's idle-transaction guard ended turned into a failure that is not retried.
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
	 * What an attempt's failure comes to.
	 * @param ex what the attempt threw
	 * @param took how long the attempt ran
	 * @param checkLease throws {@link LeaseLostException} if this instance lost the lease
	 * @return the failure to retry or fail the migration with
	 */
	RuntimeException of(RuntimeException ex, Duration took, Runnable checkLease) {
		RuntimeException failure = batchFailureOf(ex);
		// Only a transaction spanning migrate can sit idle, and for no longer than it ran.
		boolean couldHaveSatIdle = this.transactional && took.compareTo(this.leaseDuration) >= 0;
		SQLException report = this.transientFailures.idleTransactionEnd(failure, couldHaveSatIdle);
		if (report == null) {
			return failure;
		}
		// Every retry would sit idle as long again; unless this instance was frozen meanwhile
		// and another one took over, in which case it is cut off rather than failed.
		try {
			checkLease.run();
		}
		catch (LeaseLostException lost) {
			return lost;
		}
		catch (DataAccessException unknown) {
			// Cannot tell; a retry reads the checkpoint again.
			failure.addSuppressed(unknown);
			return failure;
		}
		return new BatchOutlastedLeaseException(this.migration, this.leaseDuration, took, this.database, report,
				failure);
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
