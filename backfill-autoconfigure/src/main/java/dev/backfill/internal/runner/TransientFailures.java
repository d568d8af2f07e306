package dev.backfill.internal.runner;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

import dev.backfill.internal.store.SqlDialect.IdleTransactionEnd;
import dev.backfill.internal.store.SqlDialect;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells transient failures (worth retrying) from the rest: Spring's translation of SQL
 * exceptions for deadlocks, serialization failures, lock and statement timeouts
 * ({@link TransientDataAccessException}) and lost or refused connections
 * ({@link DataAccessResourceFailureException}, {@link RecoverableDataAccessException},
 * failures to begin or commit a transaction), and the database's own codes for what that
 * translation leaves uncategorized ({@link SqlDialect#isTransient(SQLException)}).
 */
final class TransientFailures {

	private final SqlDialect dialect;

	TransientFailures(SqlDialect dialect) {
		this.dialect = dialect;
	}

	/**
	 * Whether the failure, or any of its causes, is transient.
	 * @param failure the failure
	 * @return {@code true} if retrying may succeed
	 */
	boolean isTransient(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof LeaseLostException || cause instanceof InvalidMigrationException
					|| cause instanceof BatchOutlastedLeaseException) {
				return false;
			}
			if (cause instanceof TransientDataAccessException || cause instanceof RecoverableDataAccessException
					|| cause instanceof DataAccessResourceFailureException
					|| cause instanceof CannotCreateTransactionException
					|| cause instanceof TransactionSystemException || cause instanceof SQLTransientException
					|| cause instanceof SQLRecoverableException
					|| (cause instanceof SQLException sqlException && this.dialect.isTransient(sqlException))) {
				return true;
			}
			if (cause.getCause() == cause) {
				break;
			}
		}
		return false;
	}

	/**
	 * Whether the failure is transient and the statement timeout cancelled a statement of
	 * the failed batch ({@link SqlDialect#isStatementTimeout}), by any of its causes; never
	 * a lost lease or an invalid migration, whatever their causes.
	 * @param failure the failure
	 * @return {@code true} if a smaller batch may finish in time
	 */
	boolean isStatementTimeout(Throwable failure) {
		if (!isTransient(failure)) {
			return false;
		}
		for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
			if (cause instanceof SQLException sqlException && this.dialect.isStatementTimeout(sqlException)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The database's report, among the failure's causes, that its idle-transaction guard
	 * ended the batch's transaction ({@link SqlDialect#idleTransactionEnd}): a certain one
	 * if any cause is, else the first suspected one.
	 * @param failure the failure
	 * @param couldHaveSatIdle whether the batch's transaction ran at least the idle timeout
	 * @return the report, or {@code null} if the guard did not end it
	 */
	@Nullable IdleEnd idleTransactionEnd(Throwable failure, boolean couldHaveSatIdle) {
		IdleEnd suspected = null;
		for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
			if (cause instanceof SQLException sqlException) {
				IdleTransactionEnd end = this.dialect.idleTransactionEnd(sqlException, couldHaveSatIdle);
				if (end == IdleTransactionEnd.CERTAIN) {
					return new IdleEnd(sqlException, true);
				}
				if (end == IdleTransactionEnd.SUSPECTED && suspected == null) {
					suspected = new IdleEnd(sqlException, false);
				}
			}
		}
		return suspected;
	}

	/**
	 * The database's report that its idle-transaction guard ended a transaction.
	 *
	 * @param report the exception that tells it
	 * @param certain whether it says so, rather than that the connection was lost
	 */
	record IdleEnd(SQLException report, boolean certain) {
	}

}
