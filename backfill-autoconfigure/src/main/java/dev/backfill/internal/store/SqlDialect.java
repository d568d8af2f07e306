package dev.backfill.internal.store;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.ResultSetExtractor;

/**
 * The SQL that differs between databases. The store and runner write portable SQL and
 * ask the dialect only for these few pieces; one dialect is chosen per DataSource from
 * its JDBC product name by {@link #forProductName(String)}.
 *
 * @since 0.1.0
 */
public interface SqlDialect {

	/**
	 * Longest migration name the tracking table's {@code name} column holds; names are
	 * checked against it at startup.
	 */
	int MAX_NAME_LENGTH = 200;

	/**
	 * The dialect's name, for messages.
	 * @return a short name such as {@code PostgreSQL}
	 */
	String name();

	/**
	 * SQL expression for the database's current time, used for every timestamp and lease
	 * so that instances with skewed clocks agree.
	 * @return the expression
	 */
	String currentTimestamp();

	/**
	 * SQL expression for the database's current time plus a number of milliseconds given
	 * as its single {@code ?} parameter.
	 * @return the expression
	 */
	String currentTimestampPlusMillis();

	/**
	 * The script that creates this database's tables, a resource in the jar
	 * ({@code dev/backfill/schema-postgresql.sql} and so on, read by {@link SchemaScript}),
	 * written for the default table name {@code backfill_migrations}. Users who create the
	 * tables themselves copy it.
	 * @return the resource's file name, such as {@code schema-postgresql.sql}
	 */
	String schemaScript();

	/**
	 * Applies the limits to the current transaction's connection.
	 * @param jdbc operations bound to the batch's transaction
	 * @param limits the limits to apply
	 * @return what restores the connection's previous settings; run it before the
	 * transaction ends
	 */
	Runnable applyLimits(JdbcOperations jdbc, BatchLimits limits);

	/**
	 * The limits as part of the batch's own {@code SELECT}, where the database allows it,
	 * so that they cost no statement of their own: a {@code WITH} clause to put before the
	 * batch's {@code SELECT} and a predicate to add to its {@code WHERE}.
	 * @param limits the limits
	 * @return the inline form, or {@code null} to apply them with
	 * {@link #applyLimits(JdbcOperations, BatchLimits)} instead
	 */
	default @Nullable InlineLimits inlineLimits(BatchLimits limits) {
		return null;
	}

	/**
	 * Batch limits written into the batch's {@code SELECT}.
	 *
	 * @param withClause {@code WITH ...} put before the {@code SELECT}, ending in a space
	 * @param predicate a condition, true, that makes the {@code SELECT} evaluate the
	 * {@code WITH} clause before it reads a row
	 */
	record InlineLimits(String withClause, String predicate) {
	}

	/**
	 * How this database runs a batch of a set-based migration as one statement (reading
	 * its keys, updating and saving the checkpoint), where it can.
	 * @return the single statement's parts, or {@code null} to run the batch's read, update
	 * and checkpoint as statements of their own
	 */
	default @Nullable OneStatementBatch oneStatementBatch() {
		return null;
	}

	/**
	 * The SQL type of an array of keys of a Java type, where this database takes a batch's
	 * keys as one array parameter ({@code = ANY (?)}) rather than as one parameter per key
	 * ({@code IN (?, ?, …)}): one bind and a statement text that is the same for every batch.
	 * @param keyType the Java type of the keys, as the driver reads them
	 * @return the element type's name for {@link java.sql.Connection#createArrayOf}, or
	 * {@code null} to bind the keys one by one
	 */
	default @Nullable String keyArrayType(Class<?> keyType) {
		return null;
	}

	/**
	 * How to ask the database for its own estimate of the rows a query returns, from its
	 * statistics, without running the query.
	 * @param select the query
	 * @return the statement and how to read the estimate from its result, or {@code null}
	 * where the database gives no such estimate (the query is counted instead)
	 */
	default @Nullable RowEstimateQuery rowEstimate(String select) {
		return null;
	}

	/**
	 * The locking clause that makes a {@code SELECT} lock the rows it returns and pass over
	 * rows another transaction has locked, so that workers claiming chunks at once each get
	 * a different one without waiting for each other.
	 * @return {@code FOR UPDATE SKIP LOCKED} where the database has it (PostgreSQL, MariaDB
	 * 10.6+, MySQL 8), {@code null} where it does not: claims then rely on their
	 * conditioned {@code UPDATE} alone
	 */
	default @Nullable String skipLockedClause() {
		return null;
	}

	/**
	 * A statement that estimates a query's rows, and how to read its result.
	 *
	 * @param sql the statement, with the query's own parameters
	 * @param rows reads the estimate from the statement's result, {@code null} if it has none
	 */
	record RowEstimateQuery(String sql, ResultSetExtractor<@Nullable Long> rows) {
	}

	/**
	 * A query for the replication lag as the primary sees it: one row, one number, the
	 * greatest lag of its replicas in milliseconds, {@code 0} with no replica or no lag,
	 * {@code NULL} when the connection's user may not see the replicas' state.
	 * @return the query, or {@code null} where the primary cannot tell (the lag is known on
	 * the replicas only)
	 */
	default String replicationLagSql() {
		return null;
	}

	/**
	 * The condition that a row's key comes after the checkpoint, in the form this
	 * database's planner turns into a range scan of the key's index. By default the
	 * row-value comparison {@code (tenant_id, id) > (?, ?)} ({@code id > ?} for one column).
	 * @param columns the key columns, qualified as the query needs them, in key order
	 * @return the condition and how to bind it
	 */
	default KeysAfter keysAfter(List<String> columns) {
		return keysCompared(columns, KeysAfter.Comparison.AFTER);
	}

	/**
	 * The condition that a row's key compares with a tuple as asked, in the form this
	 * database's planner turns into a range scan of the key's index: the rows after a
	 * checkpoint, and a chunk's bounds, from its start ({@code (tenant_id, id) >= (?, ?)})
	 * and before its end ({@code (tenant_id, id) < (?, ?)}). By default the row-value
	 * comparison.
	 * @param columns the key columns, qualified as the query needs them, in key order
	 * @param comparison how the key compares with the tuple
	 * @return the condition and how to bind it
	 */
	default KeysAfter keysCompared(List<String> columns, KeysAfter.Comparison comparison) {
		return KeysAfter.rowValue(columns, comparison);
	}

	/**
	 * Whether the database reads SQL text as MySQL does (by default): a backslash escapes
	 * the next character in a quoted string, {@code #} starts a comment, and the text of
	 * {@code /*! ... *}{@code /} is code. The runner reads base queries by these rules.
	 * @return {@code true} for MariaDB and MySQL
	 */
	default boolean mysqlSyntax() {
		return false;
	}

	/**
	 * Whether a SQL exception is a transient failure worth retrying: lost connection,
	 * deadlock, serialization failure, lock or statement timeout. Spring's translation
	 * leaves some of these uncategorized (it reads SQL states, and this database uses its
	 * own codes for them), so each dialect adds its codes to the portable SQL state classes
	 * {@code 08} (connection) and {@code 40} (transaction rollback).
	 * @param ex the exception
	 * @return whether retrying may succeed
	 */
	default boolean isTransient(SQLException ex) {
		String state = ex.getSQLState();
		return ex instanceof SQLTransientException || ex instanceof SQLRecoverableException
				|| (state != null && (state.startsWith("08") || state.startsWith("40")));
	}

	/**
	 * Whether a SQL exception reports a statement cancelled by the statement timeout of the
	 * {@link BatchLimits batch limits}, which a smaller batch may avoid. Each dialect knows
	 * its database's own code for it.
	 * @param ex the exception
	 * @return whether the statement timeout cancelled the statement
	 */
	default boolean isStatementTimeout(SQLException ex) {
		return false;
	}

	/**
	 * Whether a SQL exception reports that the server's idle-transaction guard (the
	 * {@link BatchLimits#idleTimeout() idle timeout} of the batch limits) ended the
	 * transaction: {@link IdleTransactionEnd#CERTAIN certainly}, by the server's own code
	 * for it; {@link IdleTransactionEnd#SUSPECTED possibly}, by a lost connection of a
	 * transaction that ran long enough to have sat idle that long (a server that closes the
	 * connection without a word, or a driver that read only the closed socket), which a
	 * failover or a killed connection looks like too; or {@link IdleTransactionEnd#NO not}.
	 * @param ex the exception
	 * @param couldHaveSatIdle whether the transaction ran at least the idle timeout
	 * @return whether the idle-transaction guard ended the transaction; by default
	 * {@link IdleTransactionEnd#NO}, for a database without such a guard
	 */
	default IdleTransactionEnd idleTransactionEnd(SQLException ex, boolean couldHaveSatIdle) {
		return IdleTransactionEnd.NO;
	}

	/**
	 * Whether the idle-transaction guard ended a transaction, as a SQL exception tells.
	 *
	 * @since 0.1.0
	 */
	enum IdleTransactionEnd {

		/** The server said so: a retry would sit idle as long again. */
		CERTAIN,

		/** The connection was lost after the transaction could have sat idle that long. */
		SUSPECTED,

		/** Not the idle-transaction guard. */
		NO

	}

	/**
	 * Whether a SQL exception reports a lost connection: SQL state class {@code 08} or the
	 * JDBC exceptions for a connection that cannot be used again.
	 * @param ex the exception
	 * @return whether the connection is gone
	 */
	default boolean isConnectionLost(SQLException ex) {
		String state = ex.getSQLState();
		return ex instanceof SQLNonTransientConnectionException || ex instanceof SQLRecoverableException
				|| (state != null && state.startsWith("08"));
	}

	/**
	 * Chooses the dialect for a JDBC product name.
	 * @param productName {@link java.sql.DatabaseMetaData#getDatabaseProductName()}
	 * @return the dialect
	 * @throws UnsupportedDatabaseException for a database that is not supported
	 */
	static SqlDialect forProductName(@Nullable String productName) {
		String name = (productName != null) ? productName.toLowerCase(Locale.ROOT) : "";
		if (name.contains("postgres")) {
			return new PostgresDialect();
		}
		if (name.contains("mariadb") || name.contains("mysql")) {
			return new MariaDbDialect();
		}
		if (name.contains("h2")) {
			return new H2Dialect();
		}
		throw new UnsupportedDatabaseException(productName);
	}

	/**
	 * A duration in whole milliseconds, at least 1 so that a tiny positive timeout never
	 * turns into "no timeout" (0).
	 * @param duration the duration
	 * @return the milliseconds
	 */
	static long millis(Duration duration) {
		return Math.max(1, duration.toMillis());
	}

}
