package dev.backfill.internal.store;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * H2: session settings {@code QUERY_TIMEOUT} and {@code LOCK_TIMEOUT} (milliseconds),
 * set for a batch and restored to the connection's own values before the transaction ends:
 * they belong to the session and would outlive the transaction on a pooled connection. H2
 * has no idle-transaction timeout; an embedded H2 freezes with its JVM anyway.
 */
final class H2Dialect implements SqlDialect {

	/** Lock timeout, deadlock, statement canceled (QUERY_TIMEOUT). */
	private static final Set<Integer> TRANSIENT_CODES = Set.of(50200, 40001, 57014);

	/** Statement was canceled or the session timed out (QUERY_TIMEOUT). */
	private static final int STATEMENT_CANCELED = 57014;

	/** The session's statement and lock timeouts, in milliseconds, as one row. */
	private static final String SESSION_TIMEOUTS = "SELECT CAST(SETTING_VALUE AS INT) AS QUERY_TIMEOUT, "
			+ "LOCK_TIMEOUT() AS LOCK_TIMEOUT FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'QUERY_TIMEOUT'";

	@Override
	public String name() {
		return "H2";
	}

	@Override
	public String schemaScript() {
		return "schema-h2.sql";
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
	public boolean isTransient(SQLException ex) {
		return SqlDialect.super.isTransient(ex) || TRANSIENT_CODES.contains(ex.getErrorCode());
	}

	@Override
	public boolean isStatementTimeout(SQLException ex) {
		return ex.getErrorCode() == STATEMENT_CANCELED;
	}

	@Override
	public Runnable applyLimits(JdbcOperations jdbc, BatchLimits limits) {
		if (limits.statementTimeout() == null && limits.lockTimeout() == null) {
			return () -> {
			};
		}
		// Session settings outlive the transaction: read the values the (pooled) connection
		// has, both in one statement, to give them back after the batch.
		SessionTimeouts previous = jdbc.queryForObject(SESSION_TIMEOUTS,
				(rs, row) -> new SessionTimeouts(rs.getLong("QUERY_TIMEOUT"), rs.getLong("LOCK_TIMEOUT")));
		List<String> settings = new ArrayList<>();
		List<String> restores = new ArrayList<>();
		add(settings, restores, "QUERY_TIMEOUT", limits.statementTimeout(), previous.queryTimeout());
		add(settings, restores, "LOCK_TIMEOUT", limits.lockTimeout(), previous.lockTimeout());
		// H2 runs the ;-separated statements of one execute in order: one round trip each way.
		jdbc.execute(String.join("; ", settings));
		String restore = String.join("; ", restores);
		return () -> jdbc.execute(restore);
	}

	private static void add(List<String> settings, List<String> restores, String setting,
			@Nullable Duration value, long previousMillis) {
		if (value != null) {
			// Numbers computed or read here, never user text: safe as literals.
			settings.add("SET " + setting + " " + SqlDialect.millis(value));
			restores.add("SET " + setting + " " + previousMillis);
		}
	}

	/** A session's {@code QUERY_TIMEOUT} and {@code LOCK_TIMEOUT}, in milliseconds. */
	private record SessionTimeouts(long queryTimeout, long lockTimeout) {
	}

}
