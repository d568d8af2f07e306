package dev.backfill.internal.runner;

import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

import dev.backfill.internal.store.SqlDialect.InlineLimits;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.ResultSetExtractor;

/**
 * A migration's base query restricted to one batch: keys after the last one seen, in key
 * order, at most the batch size. The base query becomes a derived table, which
 * PostgreSQL, MariaDB and H2 merge into the outer query, so a filtered single-table base
 * query is read along the key's index with no sort of the whole matching set.
 */
final class BatchQuery {

	private static final String ALIAS = "backfill_batch";

	private final String migration;

	private final String keyColumn;

	private final String baseQuery;

	private final String firstBatchSql;

	private final String nextBatchSql;

	private final String probeSql;

	BatchQuery(String migration, String baseQuery, String keyColumn, int batchSize, InlineLimits limits) {
		this.migration = migration;
		this.keyColumn = keyColumn;
		this.baseQuery = stripTerminator(baseQuery);
		String with = (limits != null) ? limits.withClause() : "";
		String guard = (limits != null) ? limits.predicate() : null;
		String select = "SELECT " + ALIAS + ".* FROM (" + this.baseQuery + ") " + ALIAS;
		// The limit is a literal, not a parameter: a cached generic plan then still knows
		// it reads only a batch, and keeps walking the key's index rather than sorting.
		String orderAndLimit = " ORDER BY " + ALIAS + "." + keyColumn + " LIMIT " + batchSize;
		this.firstBatchSql = with + select + where(guard) + orderAndLimit;
		this.nextBatchSql = with + select + where(guard, ALIAS + "." + keyColumn + " > ?") + orderAndLimit;
		this.probeSql = select + where("1 = 0");
	}

	private static String where(String... conditions) {
		String joined = Arrays.stream(conditions).filter(Objects::nonNull).collect(Collectors.joining(" AND "));
		return joined.isEmpty() ? "" : " WHERE " + joined;
	}

	private static String stripTerminator(String sql) {
		String trimmed = (sql != null) ? sql.strip() : "";
		while (trimmed.endsWith(";")) {
			trimmed = trimmed.substring(0, trimmed.length() - 1).strip();
		}
		return trimmed;
	}

	/**
	 * The SQL of a batch.
	 * @param first whether it is the first batch (no key predicate)
	 * @return the SQL, with the last key as its parameter (unless first)
	 */
	String sql(boolean first) {
		return first ? this.firstBatchSql : this.nextBatchSql;
	}

	/**
	 * Checks the base query without reading rows and finds the key column's type.
	 * @param jdbc operations on the migration's DataSource
	 * @param transientFailures what is worth retrying, which is rethrown as it is
	 * @return the key's type
	 * @throws InvalidMigrationException if the query is not valid SQL, does not select the
	 * key column, or the key's type is not supported
	 */
	KeyType describe(JdbcOperations jdbc, TransientFailures transientFailures) {
		if (this.baseQuery.isEmpty()) {
			throw new InvalidMigrationException("Base query of migration '" + this.migration + "' is empty", null);
		}
		ResultSetExtractor<KeyType> keyType = (rs) -> {
			ResultSetMetaData metaData = rs.getMetaData();
			List<String> columns = new ArrayList<>();
			for (int i = 1; i <= metaData.getColumnCount(); i++) {
				String label = metaData.getColumnLabel(i);
				columns.add(label);
				if (label.equalsIgnoreCase(this.keyColumn)) {
					KeyType type = KeyType.of(metaData.getColumnType(i), metaData.getColumnClassName(i));
					if (type == null) {
						throw new InvalidMigrationException("Key column '" + this.keyColumn + "' of migration '"
								+ this.migration + "' has type " + metaData.getColumnTypeName(i)
								+ ", which cannot be a key",
								"Use an integer, decimal, UUID or text column as the key of migration '"
										+ this.migration + "' (DataMigrationConfig keyColumn).",
								null);
					}
					return type;
				}
			}
			throw new InvalidMigrationException("Base query of migration '" + this.migration
					+ "' does not select its key column '" + this.keyColumn + "' (it selects " + columns + ")",
					"Select column '" + this.keyColumn + "' in the base query of migration '" + this.migration
							+ "', or set its key column (DataMigrationConfig keyColumn) to one the query selects.",
					null);
		};
		try {
			return jdbc.query(this.probeSql, keyType);
		}
		catch (DataAccessException ex) {
			if (transientFailures.isTransient(ex)) {
				throw ex;
			}
			throw new InvalidMigrationException("Base query of migration '" + this.migration
					+ "' cannot be run: " + ex.getMostSpecificCause().getMessage() + " [" + this.baseQuery + "]", ex);
		}
	}

	/**
	 * Reads one batch.
	 * @param jdbc operations on the migration's DataSource (joining the batch's transaction)
	 * @param afterKey the last key seen, or {@code null} for the first batch
	 * @return the rows, with case-insensitive column names, in key order
	 */
	List<Map<String, Object>> fetch(JdbcOperations jdbc, Object afterKey) {
		return (afterKey != null) ? jdbc.query(this.nextBatchSql, BatchRows.INSTANCE, afterKey)
				: jdbc.query(this.firstBatchSql, BatchRows.INSTANCE);
	}

	/**
	 * The key of a row of a batch.
	 * @param row the row
	 * @return its key value
	 */
	Object keyOf(Map<String, Object> row) {
		Object key = row.get(this.keyColumn);
		if (key == null) {
			throw new InvalidMigrationException("A row of migration '" + this.migration + "' has no value in key column '"
					+ this.keyColumn + "'; the key must be unique and not null", null);
		}
		return key;
	}

}
