package dev.backfill.runner;

import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells transient failures (worth retrying) from the rest, using Spring's translation of
 * SQL exceptions: deadlocks, serialization failures, lock and statement timeouts
 * ({@link TransientDataAccessException}), and lost or refused connections
 * ({@link DataAccessResourceFailureException}, {@link RecoverableDataAccessException},
 * failures to begin or commit a transaction).
 */
final class TransientFailures {

	private TransientFailures() {
	}

	/**
	 * Whether the failure, or any of its causes, is transient.
	 * @param failure the failure
	 * @return {@code true} if retrying may succeed
	 */
	static boolean isTransient(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof LeaseLostException || cause instanceof InvalidMigrationException) {
				return false;
			}
			if (cause instanceof TransientDataAccessException || cause instanceof RecoverableDataAccessException
					|| cause instanceof DataAccessResourceFailureException
					|| cause instanceof CannotCreateTransactionException
					|| cause instanceof TransactionSystemException || cause instanceof SQLTransientException
					|| cause instanceof SQLRecoverableException) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

}
