package dev.backfill.internal.store;

import java.sql.SQLException;
import java.util.Set;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * H2: session settings {@code QUERY_TIMEOUT} and {@code LOCK_TIMEOUT} (milliseconds),
 * restored before the transaction ends. H2 has no idle-transaction timeout; an embedded
 * H2 freezes with its JVM anyway.
 */
final class H2Dialect implements SqlDialect {

	/** Lock timeout, deadlock, statement canceled (QUERY_TIMEOUT). */
	private static final Set<Integer> TRANSIENT_CODES = Set.of(50200, 40001, 57014);

	@Override
	public String name() {
		return "H2";
	}

	@Override
	public String currentTimestamp() {
		return "CURRENT_TIMESTAMP";
	}

	@Override
	public String currentTimestampPlusMillis() {
		return "DATEADD(MILLISECOND, ?, CURRENT_TIMESTAMP)";
	}

	@Override
	public String timestampType() {
		return "TIMESTAMP WITH TIME ZONE";
	}

	@Override
	public boolean isTransient(SQLException ex) {
		return SqlDialect.super.isTransient(ex) || TRANSIENT_CODES.contains(ex.getErrorCode());
	}

	@Override
	public Runnable applyLimits(JdbcOperations jdbc, BatchLimits limits) {
		Runnable restoreStatement = () -> {
		};
		Runnable restoreLock = () -> {
		};
		if (limits.statementTimeout() != null) {
			jdbc.execute("SET QUERY_TIMEOUT " + SqlDialect.millis(limits.statementTimeout()));
			restoreStatement = () -> jdbc.execute("SET QUERY_TIMEOUT 0");
		}
		if (limits.lockTimeout() != null) {
			Integer previous = jdbc.queryForObject("SELECT LOCK_TIMEOUT()", Integer.class);
			jdbc.execute("SET LOCK_TIMEOUT " + SqlDialect.millis(limits.lockTimeout()));
			restoreLock = () -> jdbc.execute("SET LOCK_TIMEOUT " + previous);
		}
		Runnable statement = restoreStatement;
		Runnable lock = restoreLock;
		return () -> {
			statement.run();
			lock.run();
		};
	}

}
