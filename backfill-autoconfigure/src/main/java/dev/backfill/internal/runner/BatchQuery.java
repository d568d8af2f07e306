package dev.backfill.internal.runner;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import dev.backfill.internal.store.KeysAfter;
import dev.backfill.internal.store.KeysAfter.Comparison;
import dev.backfill.internal.store.SqlDialect;
import dev.backfill.internal.store.SqlDialect.InlineLimits;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.ResultSetExtractor;

/**
 * A migration's base query restricted to one batch: keys after the last one seen, in key
 * order, at most the batch size plus one peek row (which tells whether more rows follow
 * and lets {@link KeyRules} see a key shared across the batch's end). The base query
 * becomes a derived table on lines of its own (so a trailing {@code --} comment ends
 * there), which PostgreSQL, MariaDB and H2 merge into the outer query, so a filtered
 * single-table base query is read along the key's index with no sort of the whole
 * matching set. A composite key orders by all its columns, and the rows after the
 * checkpoint are found with the dialect's {@link SqlDialect#keysAfter form} of
 * {@code (tenant_id, id) > (?, ?)}; a chunk's batches are bounded by its range the same way,
 * {@code (tenant_id, id) >= (?, ?)} from its start and {@code (tenant_id, id) < (?, ?)} before
 * its end. The batch size may change from one batch to the next (adaptive batch size): the SQL
 * of the last size used is kept, so a fixed size builds its SQL once.
 */
final class BatchQuery {

	private static final String ALIAS = "backfill_batch";

	private final String migration;

	private final List<String> keyColumns;

	private final BaseQuery baseQuery;

	private final KeyRules keyRules;

	private final KeysAfter keysAfter;

	/** A chunk's bounds: the keys from its start on, and before its end. */
	private final KeysAfter keysFrom;

	private final KeysAfter keysBefore;

	/** The first batch's SQL up to its limit's value. */
	private final String firstBatchSqlBeforeLimit;

	/** A later batch's SQL up to its limit's value. */
	private final String nextBatchSqlBeforeLimit;

	/** The size {@link #firstBatchSql} and {@link #nextBatchSql} read. */
	private int sqlBatchSize;

	private String firstBatchSql;

	private String nextBatchSql;

	private final String describeSql;

	/** The parts of a batch's SQL a chunk's batches are built from. */
	private final String withClause;

	private final String batchSelect;

	private final @Nullable String guard;

	private final String from;

	private final List<String> keys;

	private final String nullKeySql;

	private final String keyCountSql;

	/** The base query's rows, all of them and after a key: for the estimated total. */
	private final String allRowsSql;

	private final String rowsAfterSql;

	private final String countSql;

	/**
	 * Creates the query of a migration's batches.
	 * @param target the migration
	 * @param batchSize the first batch's size
	 * @param limits the limits that ride on the SELECT, or {@code null}
	 * @return the query
	 */
	static BatchQuery of(MigrationTarget target, int batchSize, @Nullable InlineLimits limits) {
		return new BatchQuery(target.name(), target.migration().baseQuery(), target.settings().keyColumns(),
				batchSize, limits, target.database().store().dialect(), target.readsKeysOnly());
	}

	/** The query of a migration whose key is one column, which every dialect reads alike. */
	BatchQuery(String migration, String baseQuery, String keyColumn, int batchSize, @Nullable InlineLimits limits,
			boolean mysqlSyntax) {
		this(migration, baseQuery, List.of(keyColumn), batchSize, limits, mysqlSyntax, KeysAfter::rowValue, false);
	}

	/**
	 * Creates the query of a migration's batches.
	 * @param migration the migration's name, for messages
	 * @param baseQuery its base query
	 * @param keyColumns its key columns, most significant first
	 * @param batchSize the first batch's size
	 * @param limits batch limits riding on the batch's {@code SELECT}, or {@code null}
	 * @param dialect the database's dialect: how it reads SQL text and the keys after a
	 * checkpoint
	 * @param keysOnly whether a batch reads only the key columns (a set-based migration's
	 * update reads the rest itself) rather than every column of the base query
	 */
	BatchQuery(String migration, String baseQuery, List<String> keyColumns, int batchSize,
			@Nullable InlineLimits limits, SqlDialect dialect, boolean keysOnly) {
		this(migration, baseQuery, keyColumns, batchSize, limits, dialect.mysqlSyntax(), dialect::keysCompared,
				keysOnly);
	}

	private BatchQuery(String migration, String baseQuery, List<String> keyColumns, int batchSize,
			@Nullable InlineLimits limits, boolean mysqlSyntax,
			BiFunction<List<String>, Comparison, KeysAfter> keysCompared, boolean keysOnly) {
		this.migration = migration;
		this.keyColumns = List.copyOf(keyColumns);
		this.baseQuery = BaseQuery.parse(baseQuery, mysqlSyntax);
		this.keyRules = new KeyRules(migration, keyColumns);
		String with = (limits != null) ? limits.withClause() : "";
		String guard = (limits != null) ? limits.predicate() : null;
		String from = " FROM (\n" + this.baseQuery.sql() + "\n) " + ALIAS;
		List<String> keys = keyColumns.stream().map((column) -> ALIAS + "." + column).toList();
		this.keysAfter = keysCompared.apply(keys, Comparison.AFTER);
		this.keysFrom = keysCompared.apply(keys, Comparison.FROM);
		this.keysBefore = keysCompared.apply(keys, Comparison.BEFORE);
		String select = "SELECT " + ALIAS + ".*" + from;
		String batchSelect = keysOnly ? "SELECT " + String.join(", ", keys) + from : select;
		// The limit is a literal, not a parameter: a cached generic plan then still knows
		// it reads only a batch, and keeps walking the key's index rather than sorting.
		String orderAndLimit = " ORDER BY " + String.join(", ", keys) + " LIMIT ";
		this.firstBatchSqlBeforeLimit = with + batchSelect + where(guard) + orderAndLimit;
		this.nextBatchSqlBeforeLimit = with + batchSelect + where(guard, this.keysAfter.sql()) + orderAndLimit;
		useBatchSize(batchSize);
		this.describeSql = select + where("1 = 0");
		String anyNull = String.join(" OR ", keys.stream().map((key) -> key + " IS NULL").toList());
		this.nullKeySql = "SELECT 1" + from + where((keys.size() > 1) ? "(" + anyNull + ")" : anyNull) + " LIMIT 1";
		this.keyCountSql = "SELECT COUNT(*)" + from
				+ where(String.join(" AND ", keys.stream().map((key) -> key + " = ?").toList()));
		this.allRowsSql = select;
		this.rowsAfterSql = select + where(this.keysAfter.sql());
		this.countSql = "SELECT COUNT(*)" + from;
		this.withClause = with;
		this.batchSelect = batchSelect;
		this.guard = guard;
		this.from = from;
		this.keys = keys;
	}

	private static String where(@Nullable String... conditions) {
		String joined = Arrays.stream(conditions).filter(Objects::nonNull).collect(Collectors.joining(" AND "));
		return joined.isEmpty() ? "" : " WHERE " + joined;
	}

	/** Builds the SQL of batches of a size, unless it is the size of the last batch. */
	private void useBatchSize(int batchSize) {
		if (batchSize == this.sqlBatchSize) {
			return;
		}
		// One row more than the batch: the peek row.
		String limit = Long.toString((long) batchSize + 1);
		this.firstBatchSql = this.firstBatchSqlBeforeLimit + limit;
		this.nextBatchSql = this.nextBatchSqlBeforeLimit + limit;
		this.sqlBatchSize = batchSize;
	}

	/**
	 * The SQL of a batch of the size last read (or given to the constructor).
	 * @param first whether it is the first batch (no key predicate)
	 * @return the SQL, with the last key as its parameter (unless first)
	 */
	String sql(boolean first) {
		return first ? this.firstBatchSql : this.nextBatchSql;
	}

	/**
	 * The base query's rows after a key, or all of them, for the estimated total.
	 * @param afterKey whether the SQL reads the rows after a key, bound with
	 * {@link #rowsAfterParameters(KeyValue)}
	 * @return the SQL, in no particular order
	 */
	String rowsSql(boolean afterKey) {
		return afterKey ? this.rowsAfterSql : this.allRowsSql;
	}

	/**
	 * The parameters of {@link #rowsSql(boolean) the rows after a key}.
	 * @param afterKey the key
	 * @return the parameters, in the order of the {@code ?}s
	 */
	Object[] rowsAfterParameters(KeyValue afterKey) {
		return this.keysAfter.parameters(afterKey.parts());
	}

	/**
	 * The SQL of a batch of a size.
	 * @param first whether it is the first batch (no key predicate)
	 * @param batchSize the most rows the batch may have (it reads one more)
	 * @return the SQL, with the last key as its parameter (unless first)
	 */
	String sql(boolean first, int batchSize) {
		useBatchSize(batchSize);
		return sql(first);
	}

	/**
	 * The SQL that finds whether any row's key is NULL.
	 * @return the SQL, reading at most one row
	 */
	String nullKeySql() {
		return this.nullKeySql;
	}

	/**
	 * Checks the base query without reading rows and finds the key columns' types.
	 * @param jdbc operations on the migration's DataSource
	 * @param transientFailures what is worth retrying, which is rethrown as it is
	 * @return the key, with each column's type
	 * @throws InvalidMigrationException if the query is empty, has a top-level row limit,
	 * is not valid SQL, does not select a key column, or a key column's type is not supported
	 */
	Key describe(JdbcOperations jdbc, TransientFailures transientFailures) {
		this.baseQuery.check(this.migration);
		ResultSetExtractor<Key> key = (rs) -> {
			ResultSetMetaData metaData = rs.getMetaData();
			List<KeyType> types = new ArrayList<>();
			for (String keyColumn : this.keyColumns) {
				types.add(typeOf(keyColumn, metaData));
			}
			return new Key(this.migration, this.keyColumns, types);
		};
		try {
			return jdbc.query(this.describeSql, key);
		}
		catch (DataAccessException ex) {
			if (transientFailures.isTransient(ex)) {
				throw ex;
			}
			throw new InvalidMigrationException("Base query of migration '" + this.migration + "' cannot be run: "
					+ ex.getMostSpecificCause().getMessage() + " [" + this.baseQuery.sql() + "]", ex);
		}
	}

	private KeyType typeOf(String keyColumn, ResultSetMetaData metaData) throws SQLException {
		List<String> columns = new ArrayList<>();
		for (int i = 1; i <= metaData.getColumnCount(); i++) {
			String label = metaData.getColumnLabel(i);
			columns.add(label);
			if (label.equalsIgnoreCase(keyColumn)) {
				KeyType type = KeyType.of(metaData.getColumnType(i), metaData.getColumnClassName(i));
				if (type == null) {
					throw new InvalidMigrationException("Key column '" + keyColumn + "' of migration '"
							+ this.migration + "' has type " + metaData.getColumnTypeName(i) + ", which cannot be a key",
							"Use an integer, decimal, UUID or text column as the key of migration '" + this.migration
									+ "' (DataMigrationConfig keyColumn).",
							null);
				}
				return type;
			}
		}
		String key = (this.keyColumns.size() == 1) ? "its key column '" + keyColumn + "'"
				: "key column '" + keyColumn + "' of its " + Key.describe(this.keyColumns);
		throw new InvalidMigrationException("Base query of migration '" + this.migration + "' does not select " + key
				+ " (it selects " + columns + ")",
				"Select column '" + keyColumn + "' in the base query of migration '" + this.migration
						+ "', or set its key column (DataMigrationConfig keyColumn) to one the query selects.",
				null);
	}

	/**
	 * Refuses a migration some of whose rows have a NULL key, which the keyset walk would
	 * skip; one read of at most one row, along the key's index where there is one.
	 * @param jdbc operations on the migration's DataSource
	 * @throws InvalidMigrationException if a row's key is NULL
	 */
	void refuseNullKeys(JdbcOperations jdbc) {
		if (!jdbc.queryForList(this.nullKeySql).isEmpty()) {
			throw this.keyRules.nullKeys();
		}
	}

	/**
	 * Counts the rows the base query returns: the estimated total of a dry run, the rows a
	 * pass left behind. One scan of the base query (along an index that serves its filter,
	 * if there is one).
	 * @param jdbc operations on the migration's DataSource
	 * @return the count
	 */
	long count(JdbcOperations jdbc) {
		Long count = jdbc.queryForObject(this.countSql, Long.class);
		return (count != null) ? count : 0;
	}

	/**
	 * Reads one batch and checks its keys.
	 * @param jdbc operations on the migration's DataSource (joining the batch's transaction)
	 * @param afterKey the last key seen, or {@code null} for the first batch
	 * @param key the key's columns and types
	 * @param number the batch's number, for messages
	 * @param batchSize the most rows this batch may have
	 * @return the batch, with case-insensitive column names, in key order
	 * @throws InvalidMigrationException if a key is NULL or not unique
	 */
	Batch fetch(JdbcOperations jdbc, @Nullable KeyValue afterKey, Key key, long number, int batchSize) {
		useBatchSize(batchSize);
		List<Map<String, Object>> rows = (afterKey != null)
				? jdbc.query(this.nextBatchSql, BatchRows.INSTANCE, this.keysAfter.parameters(afterKey.parts()))
				: jdbc.query(this.firstBatchSql, BatchRows.INSTANCE);
		return checked(jdbc, rows, key, number, batchSize);
	}

	/**
	 * Reads one batch of a chunk, within its key range, and checks its keys.
	 * @param jdbc operations on the migration's DataSource (joining the batch's transaction)
	 * @param afterKey the chunk's last key seen, or {@code null} for its first batch
	 * @param range the chunk's key range
	 * @param key the key's columns and types
	 * @param number the batch's number in the chunk, for messages
	 * @param batchSize the most rows this batch may have
	 * @return the batch, in key order; the last one of the chunk when no row of the range follows
	 * @throws InvalidMigrationException if a key is NULL or not unique
	 */
	Batch fetch(JdbcOperations jdbc, @Nullable KeyValue afterKey, KeyRange range, Key key, long number,
			int batchSize) {
		ChunkBatchSql batch = chunkBatchSql(afterKey, range, batchSize);
		return checked(jdbc, jdbc.query(batch.sql(), BatchRows.INSTANCE, batch.parameters()), key, number, batchSize);
	}

	/**
	 * The SQL of one batch of a chunk: after the chunk's checkpoint, or from its start for
	 * its first batch, and before its end.
	 * @param afterKey the chunk's last key seen, or {@code null} for its first batch
	 * @param range the chunk's key range
	 * @param batchSize the most rows the batch may have (it reads one more)
	 * @return the SQL and its parameters
	 */
	ChunkBatchSql chunkBatchSql(@Nullable KeyValue afterKey, KeyRange range, int batchSize) {
		List<Object> args = new ArrayList<>();
		String lower = null;
		if (afterKey != null) {
			lower = bound(this.keysAfter, afterKey, args);
		}
		else if (range.start() != null) {
			lower = bound(this.keysFrom, range.start(), args);
		}
		String upper = (range.end() != null) ? bound(this.keysBefore, range.end(), args) : null;
		String sql = this.withClause + this.batchSelect + where(this.guard, lower, upper) + " ORDER BY "
				+ String.join(", ", this.keys) + " LIMIT " + ((long) batchSize + 1);
		return new ChunkBatchSql(sql, args.toArray());
	}

	/** The condition of a bound, its parameters added to {@code args}. */
	private static String bound(KeysAfter condition, KeyValue key, List<Object> args) {
		args.addAll(Arrays.asList(condition.parameters(key.parts())));
		return condition.sql();
	}

	/**
	 * Checks the keys of the rows read for a batch and drops the peek row.
	 * @param jdbc operations on the migration's DataSource (joining the batch's transaction)
	 * @param rows the rows read, in key order, at most the batch size plus the peek row
	 * @param key the key's columns and types
	 * @param number the batch's number, for messages
	 * @param batchSize the most rows this batch may have
	 * @return the batch
	 * @throws InvalidMigrationException if a key is NULL or not unique
	 */
	Batch checked(JdbcOperations jdbc, List<Map<String, Object>> rows, Key key, long number, int batchSize) {
		this.keyRules.check(rows, batchSize, key, number, (last) -> occursMoreThanOnce(jdbc, last));
		boolean last = rows.size() <= batchSize;
		if (!last) {
			rows.remove(batchSize);
		}
		return new Batch(rows, last);
	}

	private boolean occursMoreThanOnce(JdbcOperations jdbc, KeyValue key) {
		Long count = jdbc.queryForObject(this.keyCountSql, Long.class, key.parts().toArray());
		return count != null && count > 1;
	}

	/**
	 * The base query as a derived table, for queries over the keys it selects.
	 * @return {@code FROM (...) alias}, starting with a space
	 */
	String fromClause() {
		return this.from;
	}

	/**
	 * The key columns as the queries over the derived table name them.
	 * @return {@code alias.column} of each, in key order
	 */
	List<String> keyExpressions() {
		return this.keys;
	}

	/**
	 * The condition of the rows after a key, in the dialect's form.
	 * @return the condition and how to bind it
	 */
	KeysAfter keysAfter() {
		return this.keysAfter;
	}

	/**
	 * The key column as the queries over the derived table name it, for a key of one column.
	 * @return {@code alias.column}
	 */
	String keyExpression() {
		if (this.keys.size() != 1) {
			throw new IllegalStateException("Migration '" + this.migration + "' has a composite key");
		}
		return this.keys.get(0);
	}

	/**
	 * The key of a row of a batch.
	 * @param row the row
	 * @return its key
	 */
	KeyValue keyOf(Map<String, Object> row) {
		return this.keyRules.keyOf(row);
	}

	/**
	 * A chunk's batch as SQL and the values to bind.
	 *
	 * @param sql the {@code SELECT}
	 * @param parameters its parameters, in the order of the {@code ?}s
	 */
	record ChunkBatchSql(String sql, Object[] parameters) {
	}

}
