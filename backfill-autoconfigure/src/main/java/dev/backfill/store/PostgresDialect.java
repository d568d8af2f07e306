package dev.backfill.store;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * PostgreSQL: {@code timestamptz}, {@code statement_timestamp()}, and transaction-local
 * settings ({@code set_config(..., true)}, as {@code SET LOCAL}) that end with the
 * transaction and so need no restoring.
 */
final class PostgresDialect implements SqlDialect {

	/**
	 * Lock not available (lock_timeout), query canceled (statement_timeout), transaction
	 * ended by idle_in_transaction_session_timeout, connection ended by an administrator or
	 * a restart, too many connections.
	 */
	private static final Set<String> TRANSIENT_STATES = Set.of("55P03", "57014", "25P03", "57P01", "57P02",
			"57P03", "53300");

	@Override
	public String name() {
		return "PostgreSQL";
	}

	@Override
	public String currentTimestamp() {
		return "statement_timestamp()";
	}

	@Override
	public String currentTimestampPlusMillis() {
		return "(statement_timestamp() + CAST(? AS BIGINT) * INTERVAL '1 millisecond')";
	}

	@Override
	public String timestampType() {
		return "TIMESTAMPTZ";
	}

	@Override
	public String longTextType() {
		return "TEXT";
	}

	@Override
	public boolean isTransient(SQLException ex) {
		return SqlDialect.super.isTransient(ex) || TRANSIENT_STATES.contains(ex.getSQLState());
	}

	@Override
	public Runnable applyLimits(JdbcOperations jdbc, BatchLimits limits) {
		if (limits.isEmpty()) {
			return () -> {
			};
		}
		List<String> calls = new ArrayList<>();
		List<Object> args = new ArrayList<>();
		add(calls, args, "statement_timeout", limits.statementTimeout());
		add(calls, args, "lock_timeout", limits.lockTimeout());
		add(calls, args, "idle_in_transaction_session_timeout", limits.idleTimeout());
		// One round trip for all settings; they end with the transaction.
		jdbc.queryForList("SELECT " + String.join(", ", calls), args.toArray());
		return () -> {
		};
	}

	private static void add(List<String> calls, List<Object> args, String setting, java.time.Duration value) {
		if (value != null) {
			calls.add("set_config('" + setting + "', ?, true)");
			args.add(Long.toString(SqlDialect.millis(value)));
		}
	}

}
