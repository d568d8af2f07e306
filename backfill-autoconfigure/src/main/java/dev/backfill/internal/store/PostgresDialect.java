package dev.backfill.internal.store;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * PostgreSQL: {@code timestamptz}, {@code statement_timestamp()}, and transaction-local
 * settings ({@code set_config(..., true)}, as {@code SET LOCAL}) that end with the
 * transaction and so need no restoring.
 */
final class PostgresDialect implements SqlDialect {

	/**
	 * Lock not available (lock_timeout), query canceled (statement_timeout), connection
	 * ended by an administrator or a restart, too many connections.
	 */
	private static final Set<String> TRANSIENT_STATES = Set.of("55P03", "57014", "57P01", "57P02", "57P03",
			"53300");

	/**
	 * Query canceled: by statement_timeout, or by pg_cancel_backend, which the server
	 * reports alike (a smaller batch does no harm after the latter either).
	 */
	private static final String QUERY_CANCELED = "57014";

	/** Connection ended by an administrator (pg_terminate_backend) or a server shutdown. */
	private static final Set<String> CONNECTION_ENDED_STATES = Set.of("57P01", "57P02");

	/** Connection ended by idle_in_transaction_session_timeout. */
	private static final String IDLE_IN_TRANSACTION_TIMEOUT = "25P03";

	private static final Pattern PLAN_ROWS = Pattern.compile("\"Plan Rows\":\\s*([0-9.]+)");

	@Override
	public String skipLockedClause() {
		return "FOR UPDATE SKIP LOCKED";
	}

	@Override
	public String name() {
		return "PostgreSQL";
	}

	@Override
	public String schemaScript() {
		return "schema-postgresql.sql";
	}

	@Override
	public String currentTimestamp() {
		return "statement_timestamp()";
	}

	@Override
	public String currentTimestampPlusMillis() {
		return "(statement_timestamp() + CAST(? AS BIGINT) * INTERVAL '1 millisecond')";
	}

	/** Data-modifying CTEs: a set-based batch is one statement and its commit. */
	@Override
	public OneStatementBatch oneStatementBatch() {
		return new PostgresOneStatementBatch();
	}

	@Override
	public @Nullable String keyArrayType(Class<?> keyType) {
		// Integers: an int2 or int4 column compares with an int8 array along its index. Not text:
		// a char(n) column would compare as text, its trailing blanks dropped, and miss rows (and
		// citext's index would not be used); text keys go one parameter each.
		if (keyType == Long.class || keyType == Integer.class || keyType == Short.class) {
			return "int8";
		}
		if (keyType == java.util.UUID.class) {
			return "uuid";
		}
		return null;
	}

	/**
	 * The planner's estimate: {@code "Plan Rows"} of the top node of
	 * {@code EXPLAIN (FORMAT JSON)}, the first in its text (a node's own fields come before
	 * its children's).
	 */
	@Override
	public RowEstimateQuery rowEstimate(String select) {
		return new RowEstimateQuery("EXPLAIN (FORMAT JSON) " + select, (rs) -> {
			if (!rs.next()) {
				return null;
			}
			Matcher rows = PLAN_ROWS.matcher(rs.getString(1));
			return rows.find() ? Math.round(Double.parseDouble(rows.group(1))) : null;
		});
	}

	/**
	 * The greatest {@code replay_lag} (an interval, NULL once a replica has caught up and
	 * stayed idle) of {@code pg_stat_replication}. A user without {@code pg_read_all_stats}
	 * sees the replicas' rows with NULL {@code state}: then NULL, rather than a lag of 0.
	 */
	@Override
	public String replicationLagSql() {
		return "SELECT CASE WHEN COUNT(*) > COUNT(state) THEN NULL "
				+ "ELSE COALESCE(MAX(EXTRACT(EPOCH FROM replay_lag)), 0) * 1000 END FROM pg_stat_replication";
	}

	@Override
	public boolean isTransient(SQLException ex) {
		return SqlDialect.super.isTransient(ex) || TRANSIENT_STATES.contains(ex.getSQLState());
	}

	@Override
	public boolean isStatementTimeout(SQLException ex) {
		return QUERY_CANCELED.equals(ex.getSQLState());
	}

	/**
	 * SQL state 25P03, certainly; should the driver have read only the closed socket and
	 * not the server's last message, a lost connection after the transaction could have
	 * sat idle is suspected.
	 */
	@Override
	public IdleTransactionEnd idleTransactionEnd(SQLException ex, boolean couldHaveSatIdle) {
		if (IDLE_IN_TRANSACTION_TIMEOUT.equals(ex.getSQLState())) {
			return IdleTransactionEnd.CERTAIN;
		}
		return (couldHaveSatIdle && isConnectionLost(ex)) ? IdleTransactionEnd.SUSPECTED : IdleTransactionEnd.NO;
	}

	@Override
	public boolean isConnectionLost(SQLException ex) {
		return SqlDialect.super.isConnectionLost(ex) || CONNECTION_ENDED_STATES.contains(ex.getSQLState());
	}

	/**
	 * Lock and idle-transaction timeouts ride on the batch's {@code SELECT}: a materialized
	 * CTE calls {@code set_config(..., true)} once, in an init plan that runs before the
	 * index scan, and the settings hold for the rest of the transaction. A statement
	 * timeout cannot (PostgreSQL arms it when a statement starts, so it would miss the
	 * batch's own {@code SELECT}): with one, all settings take a statement of their own.
	 */
	@Override
	public @Nullable InlineLimits inlineLimits(BatchLimits limits) {
		if (limits.isEmpty() || limits.statementTimeout() != null) {
			return null;
		}
		return new InlineLimits("WITH backfill_limits AS MATERIALIZED (SELECT " + setConfigCalls(limits) + ") ",
				"EXISTS (SELECT 1 FROM backfill_limits)");
	}

	@Override
	public Runnable applyLimits(JdbcOperations jdbc, BatchLimits limits) {
		if (!limits.isEmpty()) {
			// One round trip for all settings; they end with the transaction.
			jdbc.queryForList("SELECT " + setConfigCalls(limits));
		}
		return () -> {
		};
	}

	private static String setConfigCalls(BatchLimits limits) {
		List<String> calls = new ArrayList<>();
		addSetConfig(calls, "statement_timeout", limits.statementTimeout());
		addSetConfig(calls, "lock_timeout", limits.lockTimeout());
		addSetConfig(calls, "idle_in_transaction_session_timeout", limits.idleTimeout());
		return String.join(", ", calls);
	}

	private static void addSetConfig(List<String> calls, String setting, Duration value) {
		if (value != null) {
			// A number computed here, never user text: safe as a literal.
			calls.add("set_config('" + setting + "', '" + SqlDialect.millis(value) + "', true)");
		}
	}

}
