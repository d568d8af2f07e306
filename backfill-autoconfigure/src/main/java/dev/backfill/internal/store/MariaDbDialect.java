package dev.backfill.internal.store;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * MariaDB and MySQL: {@code DATETIME(6)}, names in a binary collation, and session variables for the batch limits,
 * saved into user variables and restored before the transaction ends because a pooled
 * connection outlives the batch.
 */
final class MariaDbDialect implements SqlDialect {

	/**
	 * Lock wait timeout, deadlock, max_statement_time exceeded, connection killed, server
	 * shutdown, server gone away, connection lost.
	 */
	private static final Set<Integer> TRANSIENT_CODES = Set.of(1205, 1213, 1969, 1927, 1053, 2006, 2013);

	/** Query execution was interrupted (max_statement_time exceeded). */
	private static final int MAX_STATEMENT_TIME_EXCEEDED = 1969;

	/**
	 * The optimizer's estimate from {@code EXPLAIN}: the most rows any table of the plan is
	 * expected to give, times the share its conditions keep ({@code filtered}, where the
	 * server reports it: MySQL always, MariaDB with {@code EXPLAIN EXTENDED}).
	 */
	@Override
	public RowEstimateQuery rowEstimate(String select) {
		return new RowEstimateQuery("EXPLAIN " + select, (rs) -> {
			int filteredColumn = columnIndex(rs.getMetaData(), "filtered");
			Long most = null;
			while (rs.next()) {
				long rows = rs.getLong("rows");
				if (rs.wasNull()) {
					continue;
				}
				double kept = (filteredColumn > 0) ? rs.getDouble(filteredColumn) : 100;
				long estimate = Math.round(rows * (rs.wasNull() ? 100 : kept) / 100);
				most = (most == null) ? estimate : Math.max(most, estimate);
			}
			return most;
		});
	}

	private static int columnIndex(ResultSetMetaData metaData, String label) throws SQLException {
		for (int i = 1; i <= metaData.getColumnCount(); i++) {
			if (label.equalsIgnoreCase(metaData.getColumnLabel(i))) {
				return i;
			}
		}
		return 0;
	}

	@Override
	public String skipLockedClause() {
		return "FOR UPDATE SKIP LOCKED";
	}

	@Override
	public String name() {
		return "MariaDB";
	}

	@Override
	public String schemaScript() {
		return "schema-mariadb.sql";
	}

	@Override
	public String currentTimestamp() {
		return "CURRENT_TIMESTAMP(6)";
	}

	@Override
	public String currentTimestampPlusMillis() {
		return "TIMESTAMPADD(MICROSECOND, ? * 1000, CURRENT_TIMESTAMP(6))";
	}


	/**
	 * A binary collation: the default ones ({@code utf8mb4_general_ci}, ...) ignore case,
	 * so {@code fixEmails} and {@code FixEmails} would share one row. {@code utf8mb4_bin}
	 * exists on MariaDB and MySQL alike.
	 */


	/**
	 * MariaDB (10.11) plans a row-value comparison as a full scan of the index in order
	 * ({@code type = index}), so each batch would read from the table's first key: the
	 * comparison spelled out instead, a {@code range} over both columns of the index; a
	 * chunk's bounds alike, so that its batches are one range from the lower bound to the
	 * upper.
	 */
	@Override
	public KeysAfter keysCompared(List<String> columns, KeysAfter.Comparison comparison) {
		return KeysAfter.expanded(columns, comparison);
	}

	@Override
	public boolean mysqlSyntax() {
		return true;
	}

	@Override
	public boolean isTransient(SQLException ex) {
		return SqlDialect.super.isTransient(ex) || TRANSIENT_CODES.contains(ex.getErrorCode())
				|| "70100".equals(ex.getSQLState());
	}

	@Override
	public boolean isStatementTimeout(SQLException ex) {
		return ex.getErrorCode() == MAX_STATEMENT_TIME_EXCEEDED;
	}

	/**
	 * MariaDB (10.11) has no code for it: at idle_transaction_timeout it closes the
	 * connection without a word, and the next statement fails with a socket error (SQL
	 * state 08000), as after a killed connection; so a lost connection after the
	 * transaction could have sat idle is only suspected.
	 */
	@Override
	public IdleTransactionEnd idleTransactionEnd(SQLException ex, boolean couldHaveSatIdle) {
		return (couldHaveSatIdle && isConnectionLost(ex)) ? IdleTransactionEnd.SUSPECTED : IdleTransactionEnd.NO;
	}

	/** Adds server gone away and connection lost (client-side codes, no SQL state). */
	@Override
	public boolean isConnectionLost(SQLException ex) {
		return SqlDialect.super.isConnectionLost(ex) || ex.getErrorCode() == 2006 || ex.getErrorCode() == 2013;
	}

	@Override
	public Runnable applyLimits(JdbcOperations jdbc, BatchLimits limits) {
		if (limits.isEmpty()) {
			return () -> {
			};
		}
		List<String> assignments = new ArrayList<>();
		List<String> restores = new ArrayList<>();
		// Numbers are written as literals: MariaDB refuses bound parameters for some of these
		// variables ("Incorrect argument type"), and they are computed here, never user text.
		// max_statement_time is in (fractional) seconds, the other two in whole seconds.
		add(assignments, restores, "max_statement_time", limits.statementTimeout(), false);
		add(assignments, restores, "innodb_lock_wait_timeout", limits.lockTimeout(), true);
		add(assignments, restores, "idle_transaction_timeout", limits.idleTimeout(), true);
		jdbc.update("SET " + String.join(", ", assignments));
		String restore = "SET " + String.join(", ", restores);
		return () -> jdbc.update(restore);
	}

	private static void add(List<String> assignments, List<String> restores, String variable, Duration value,
			boolean wholeSeconds) {
		if (value == null) {
			return;
		}
		String saved = "@backfill_saved_" + variable;
		assignments.add(saved + " = @@SESSION." + variable);
		long millis = SqlDialect.millis(value);
		String seconds = wholeSeconds ? Long.toString((millis + 999) / 1000) : Double.toString(millis / 1000.0);
		assignments.add("SESSION " + variable + " = " + seconds);
		restores.add("SESSION " + variable + " = " + saved);
	}

}
