package dev.backfill.internal.runner;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.backfill.DataMigration;
import dev.backfill.DataMigrationConfig;
import dev.backfill.SqlMigration;
import dev.backfill.internal.store.OneStatementBatch;
import dev.backfill.internal.store.SqlDialect;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.SqlParameter;
import org.springframework.jdbc.core.DisposableSqlTypeValue;
import org.springframework.jdbc.core.support.AbstractSqlTypeValue;
import org.springframework.jdbc.core.namedparam.EmptySqlParameterSource;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterUtils;
import org.springframework.jdbc.core.namedparam.ParsedSql;

/**
 * A {@link SqlMigration} run as a {@link DataMigration}: {@code migrate(rows)} runs its
 * {@code updateSql} once with the keys of those rows, so the keyset walk, key checks,
 * retries, fencing and checkpoint are those of every migration. Its statement joins the
 * batch's transaction, as {@code JdbcTemplate} calls in {@code migrate} do. The statement
 * is checked when this is made, before any batch runs. With a composite key, {@code :keys}
 * is the batch's keys as row values ({@code WHERE (tenant_id, id) IN (:keys)}), and
 * {@code :first}/{@code :last} are refused: a range of row values is no {@code BETWEEN}
 * of two values, and spelled out it would not be read along the index everywhere. Where
 * the database takes arrays (PostgreSQL, for integer and UUID keys), a single key's
 * {@code IN (:keys)} is bound as one array, {@code = ANY (?)}, as a hand-written loop binds
 * it, not as a parameter per key.
 */
final class SqlBatchUpdate implements DataMigration {

	static final String FIRST = "first";

	static final String LAST = "last";

	static final String KEYS = "keys";

	private static final Set<String> PARAMETERS = Set.of(FIRST, LAST, KEYS);

	private static final Pattern TRAILING_SEMICOLONS = Pattern.compile("[;\\s]+$");

	private static final Pattern DATA_MODIFYING = Pattern.compile("(?i)(UPDATE|DELETE|INSERT)\\b");

	private static final Pattern IN_KEYS = Pattern.compile("(?i)(\\bNOT\\s+)?\\bIN\\s*\\(\\s*:keys\\s*\\)");

	/** Stands for the keys while the update is rewritten for an array; refused in a migration's SQL. */
	private static final String ARRAY_MARK = "__backfill_keys_array__";

	private static final Pattern FIRST_OR_LAST = Pattern.compile("(?<![:\\w]):(first|last)(?!\\w)");

	private final SqlMigration migration;

	private final List<String> keyColumns;

	private final String updateSql;

	private final boolean usesFirst;

	private final boolean usesLast;

	private final boolean usesKeys;

	private final NamedParameterJdbcOperations jdbc;

	private final SqlDialect dialect;

	/**
	 * The update with each {@code IN (:keys)} written {@code = ANY (:keys)}, for databases
	 * that take the keys as one array; {@code null} when the keys go as a list.
	 */
	private final @Nullable String withKeysArray;

	/**
	 * Checks a migration's update and prepares to run it.
	 * @param name the migration's name, for messages
	 * @param migration the migration
	 * @param keyColumns its key columns
	 * @param jdbc operations on its DataSource
	 * @throws InvalidMigrationException if the update is empty, uses a parameter other than
	 * {@code :first}, {@code :last} and {@code :keys}, none of them, or {@code ?}
	 * placeholders, or {@code :first} or {@code :last} with a composite key
	 */
	SqlBatchUpdate(String name, SqlMigration migration, List<String> keyColumns, JdbcOperations jdbc,
			SqlDialect dialect) {
		this.migration = migration;
		this.keyColumns = List.copyOf(keyColumns);
		this.updateSql = checked(name, migration.updateSql());
		Set<String> used = parameters(name, this.updateSql);
		this.usesFirst = used.contains(FIRST);
		this.usesLast = used.contains(LAST);
		this.usesKeys = used.contains(KEYS);
		if (keyColumns.size() > 1 && (this.usesFirst || this.usesLast)) {
			String columns = String.join(", ", keyColumns);
			throw new InvalidMigrationException("SqlMigration '" + name + "' uses :first or :last in its updateSql, "
					+ "but its key (" + columns + ") is composite: a batch has no single first and last value "
					+ "[" + this.updateSql + "]",
					"Restrict the updateSql of migration '" + name + "' to the batch's keys with :keys, as row values: "
							+ "WHERE (" + columns + ") IN (:keys).",
					null);
		}
		this.jdbc = new NamedParameterJdbcTemplate(jdbc);
		this.dialect = dialect;
		this.withKeysArray = (keyColumns.size() == 1 && this.usesKeys) ? withKeysArray(this.updateSql) : null;
	}

	/**
	 * The update with every {@code IN (:keys)} written {@code = ANY (:keys)} (and
	 * {@code NOT IN (:keys)} {@code <> ALL (:keys)}), which mean the same for keys that
	 * are never NULL; {@code null} unless every {@code :keys} the statement holds is one
	 * of those (not inside a string or a comment, which the parameter counts tell).
	 */
	static @Nullable String withKeysArray(String sql) {
		if (sql.contains(ARRAY_MARK)) {
			return null;
		}
		Matcher inKeys = IN_KEYS.matcher(sql);
		StringBuilder rewritten = new StringBuilder();
		int replaced = 0;
		while (inKeys.find()) {
			String test = (inKeys.group(1) != null) ? "<> ALL (" : "= ANY (";
			inKeys.appendReplacement(rewritten, Matcher.quoteReplacement(test + ARRAY_MARK + ")"));
			replaced++;
		}
		inKeys.appendTail(rewritten);
		String text = rewritten.toString();
		if (replaced == 0 || replaced != occurrences(sql, KEYS) || occurrences(text, KEYS) != 0) {
			return null;
		}
		return text.replace(ARRAY_MARK, ":" + KEYS);
	}

	private static String checked(String name, String updateSql) {
		if (updateSql == null || updateSql.isBlank()) {
			throw invalid(name, "has no updateSql", updateSql);
		}
		return updateSql;
	}

	private static Set<String> parameters(String name, String updateSql) {
		ParsedSql parsed = NamedParameterUtils.parseSqlStatement(updateSql);
		Set<String> used = new TreeSet<>();
		for (SqlParameter parameter : NamedParameterUtils.buildSqlParameterList(parsed,
				EmptySqlParameterSource.INSTANCE)) {
			used.add(parameter.getName());
		}
		Set<String> unknown = new TreeSet<>(used);
		unknown.removeAll(PARAMETERS);
		if (!unknown.isEmpty()) {
			throw invalid(name, "uses parameter(s) " + prefixed(unknown) + " in its updateSql; only :first, :last "
					+ "and :keys are given", updateSql);
		}
		if (used.isEmpty()) {
			// It would update every row of its table in every batch.
			throw invalid(name, "uses none of :first, :last and :keys in its updateSql, so every batch would run it "
					+ "on the whole table", updateSql);
		}
		try {
			MapSqlParameterSource all = new MapSqlParameterSource();
			PARAMETERS.forEach((parameter) -> all.addValue(parameter, List.of(0)));
			NamedParameterUtils.buildValueArray(parsed, all, null);
		}
		catch (InvalidDataAccessApiUsageException ex) {
			// Named parameters mixed with ? placeholders.
			throw invalid(name, "has an updateSql that cannot be run: " + ex.getMessage(), updateSql);
		}
		return used;
	}

	private static String prefixed(Set<String> parameters) {
		List<String> names = new ArrayList<>();
		parameters.forEach((parameter) -> names.add(":" + parameter));
		return String.join(", ", names);
	}

	private static InvalidMigrationException invalid(String name, String problem, String updateSql) {
		return new InvalidMigrationException("SqlMigration '" + name + "' " + problem + " [" + updateSql + "]",
				"Write the updateSql of migration '" + name + "' as one statement restricted to its batch with "
						+ ":first and :last (the batch's first and last key, inclusive: WHERE id BETWEEN :first AND "
						+ ":last AND <the base query's condition>) or :keys (the batch's keys: WHERE id IN (:keys)).",
				null);
	}

	/**
	 * The update written for a batch run as one statement: {@code IN (:keys)} reads the
	 * batch's keys from the statement's own query of them, {@code :first} and {@code :last}
	 * become expressions over those keys, so the update has no parameters left. Only a
	 * single {@code UPDATE}, {@code DELETE} or {@code INSERT} whose every {@code :keys} is
	 * written {@code IN (:keys)} is rewritten; and only when every {@code :name} the text
	 * holds is one of its parameters (not inside a string or a comment), which the
	 * parameter counts before and after tell.
	 * @param parts the expressions of the batch's keys
	 * @return the update, or {@code null} if it cannot be rewritten safely (the batch then
	 * runs as statements of their own)
	 */
	@Nullable String inOneStatement(OneStatementBatch parts) {
		String sql = TRAILING_SEMICOLONS.matcher(this.updateSql.strip()).replaceAll("");
		if (!DATA_MODIFYING.matcher(sql).lookingAt() || sql.contains(";")) {
			return null;
		}
		int parameters = occurrences(sql);
		Matcher inKeys = IN_KEYS.matcher(sql);
		int replaced = 0;
		StringBuilder rewritten = new StringBuilder();
		while (inKeys.find()) {
			String keys = (inKeys.group(1) != null) ? parts.notInKeys() : parts.inKeys();
			inKeys.appendReplacement(rewritten, Matcher.quoteReplacement(keys));
			replaced++;
		}
		inKeys.appendTail(rewritten);
		Matcher named = FIRST_OR_LAST.matcher(rewritten.toString());
		StringBuilder result = new StringBuilder();
		while (named.find()) {
			String expression = FIRST.equals(named.group(1)) ? parts.firstKey() : parts.lastKey();
			named.appendReplacement(result, Matcher.quoteReplacement(expression));
			replaced++;
		}
		named.appendTail(result);
		String text = result.toString();
		return (replaced == parameters && occurrences(text) == 0) ? text : null;
	}

	/** How many named parameters Spring finds in a statement: each occurrence counts. */
	private static int occurrences(String sql) {
		return parameterList(sql).size();
	}

	/** How many times Spring finds one named parameter in a statement. */
	private static int occurrences(String sql, String name) {
		return (int) parameterList(sql).stream().filter((parameter) -> name.equals(parameter.getName())).count();
	}

	private static List<SqlParameter> parameterList(String sql) {
		ParsedSql parsed = NamedParameterUtils.parseSqlStatement(sql);
		MapSqlParameterSource scalars = new MapSqlParameterSource();
		PARAMETERS.forEach((parameter) -> scalars.addValue(parameter, 0));
		return NamedParameterUtils.buildSqlParameterList(parsed, scalars);
	}

	@Override
	public String baseQuery() {
		return this.migration.baseQuery();
	}

	@Override
	public void migrate(List<Map<String, Object>> rows) {
		update(rows);
	}

	/**
	 * Runs the update with the keys of a batch.
	 * @param rows the batch's rows
	 * @return the update count
	 */
	int update(List<Map<String, Object>> rows) {
		MapSqlParameterSource parameters = new MapSqlParameterSource();
		String keyColumn = this.keyColumns.get(0);
		if (this.usesFirst) {
			parameters.addValue(FIRST, rows.get(0).get(keyColumn));
		}
		if (this.usesLast) {
			parameters.addValue(LAST, rows.get(rows.size() - 1).get(keyColumn));
		}
		String sql = this.updateSql;
		if (this.usesKeys) {
			List<Object> keys = new ArrayList<>(rows.size());
			for (Map<String, Object> row : rows) {
				keys.add((this.keyColumns.size() == 1) ? row.get(keyColumn) : rowValue(row));
			}
			String arrayType = (this.withKeysArray != null) ? this.dialect.keyArrayType(keys.get(0).getClass()) : null;
			if (arrayType != null) {
				sql = this.withKeysArray;
				parameters.addValue(KEYS, new KeysArray(arrayType, keys.toArray()), Types.ARRAY);
			}
			else {
				parameters.addValue(KEYS, keys);
			}
		}
		return this.jdbc.update(sql, parameters);
	}

	/** A batch's keys bound as one SQL array, freed once the update has run. */
	private static final class KeysArray extends AbstractSqlTypeValue implements DisposableSqlTypeValue {

		private final String elementType;

		private final Object[] keys;

		private java.sql.@Nullable Array array;

		KeysArray(String elementType, Object[] keys) {
			this.elementType = elementType;
			this.keys = keys;
		}

		@Override
		protected Object createTypeValue(Connection connection, int sqlType, @Nullable String typeName)
				throws SQLException {
			this.array = connection.createArrayOf(this.elementType, this.keys);
			return this.array;
		}

		@Override
		public void cleanup() {
			if (this.array != null) {
				try {
					this.array.free();
				}
				catch (SQLException ex) {
					// The driver's to reclaim with the statement.
				}
			}
		}

	}

	/** A composite key's parts, which {@code IN (:keys)} expands into a row value {@code (?, ?)}. */
	private Object[] rowValue(Map<String, Object> row) {
		Object[] parts = new Object[this.keyColumns.size()];
		for (int i = 0; i < parts.length; i++) {
			parts[i] = row.get(this.keyColumns.get(i));
		}
		return parts;
	}

	@Override
	public DataMigrationConfig config() {
		return this.migration.config();
	}

}
