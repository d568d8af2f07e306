package dev.backfill.internal.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The condition that a row's key comes after a checkpoint: {@code id > ?} for a key of
 * one column; for a composite key, in the form the database's planner turns into a range
 * scan of the composite index. The same forms bound a chunk's key range, from its start
 * ({@link Comparison#FROM}) and before its end ({@link Comparison#BEFORE}). The tuple's
 * parts are bound in {@link #parts()}' order.
 *
 * @param sql the condition, with one {@code ?} per entry of {@code parts}
 * @param parts for each {@code ?} in order, the index of the key column whose checkpoint
 * value it takes
 *
 * @since 0.1.0
 */
public record KeysAfter(String sql, List<Integer> parts) {

	public KeysAfter {
		parts = List.copyOf(parts);
	}

	/**
	 * The row-value comparison {@code (tenant_id, id) > (?, ?)}: SQL's own lexicographic
	 * order, which PostgreSQL uses as an index condition on the composite index (an
	 * OR-expansion it can only filter with). For one column, {@code id > ?}.
	 * @param columns the key columns, qualified as the query needs them, in key order
	 * @return the condition
	 */
	public static KeysAfter rowValue(List<String> columns) {
		return rowValue(columns, Comparison.AFTER);
	}

	/**
	 * The row-value comparison of the key with a tuple, such as
	 * {@code (tenant_id, id) >= (?, ?)}; for one column, {@code id >= ?}.
	 * @param columns the key columns, qualified as the query needs them, in key order
	 * @param comparison how the key compares with the tuple
	 * @return the condition
	 */
	public static KeysAfter rowValue(List<String> columns, Comparison comparison) {
		List<Integer> parts = new ArrayList<>();
		for (int i = 0; i < columns.size(); i++) {
			parts.add(i);
		}
		if (columns.size() == 1) {
			return new KeysAfter(columns.get(0) + " " + comparison.operator + " ?", parts);
		}
		String placeholders = String.join(", ", columns.stream().map((column) -> "?").toList());
		return new KeysAfter("(" + String.join(", ", columns) + ") " + comparison.operator + " (" + placeholders + ")",
				parts);
	}

	/**
	 * The same order spelled out for an optimizer that builds ranges from {@code OR}s of
	 * equalities and comparisons but not from a row-value comparison (MariaDB reads the
	 * whole index in order for that): {@code tenant_id >= ? AND (tenant_id > ? OR
	 * (tenant_id = ? AND id > ?))}. The leading {@code >=} bounds the scan by the first
	 * column; each disjunct is a range over a prefix of the index, so the scan starts at
	 * the checkpoint itself, not at the start of its first column's value. For one column,
	 * {@code id > ?}.
	 * @param columns the key columns, qualified as the query needs them, in key order
	 * @return the condition
	 */
	public static KeysAfter expanded(List<String> columns) {
		return expanded(columns, Comparison.AFTER);
	}

	/**
	 * The comparison of the key with a tuple spelled out as {@link #expanded(List)} does:
	 * the last column alone takes the comparison itself, the ones before it take its strict
	 * form, and the leading bound its form with equality. From a chunk's start
	 * {@code tenant_id >= ? AND (tenant_id > ? OR (tenant_id = ? AND id >= ?))}; before its
	 * end {@code tenant_id <= ? AND (tenant_id < ? OR (tenant_id = ? AND id < ?))}, so that
	 * a chunk's batch is one range of the index from the lower bound to the upper one.
	 * @param columns the key columns, qualified as the query needs them, in key order
	 * @param comparison how the key compares with the tuple
	 * @return the condition
	 */
	public static KeysAfter expanded(List<String> columns, Comparison comparison) {
		if (columns.size() == 1) {
			return rowValue(columns, comparison);
		}
		List<Integer> parts = new ArrayList<>(List.of(0));
		List<String> disjuncts = new ArrayList<>();
		for (int last = 0; last < columns.size(); last++) {
			List<String> terms = new ArrayList<>();
			for (int i = 0; i < last; i++) {
				terms.add(columns.get(i) + " = ?");
				parts.add(i);
			}
			String operator = (last == columns.size() - 1) ? comparison.operator : comparison.strict;
			terms.add(columns.get(last) + " " + operator + " ?");
			parts.add(last);
			String disjunct = String.join(" AND ", terms);
			disjuncts.add((terms.size() > 1) ? "(" + disjunct + ")" : disjunct);
		}
		return new KeysAfter(columns.get(0) + " " + comparison.bound + " ? AND (" + String.join(" OR ", disjuncts) + ")",
				parts);
	}

	/**
	 * The values to bind for a checkpoint.
	 * @param key the checkpoint's value of each key column, in key order
	 * @return the parameters, in the order of the {@code ?}s
	 */
	public Object[] parameters(List<Object> key) {
		Object[] parameters = new Object[this.parts.size()];
		for (int i = 0; i < parameters.length; i++) {
			parameters[i] = key.get(this.parts.get(i));
		}
		return parameters;
	}

	/**
	 * How a row's key compares with the tuple bound.
	 *
	 * @since 0.1.0
	 */
	public enum Comparison {

		/** After the tuple: the rows after a checkpoint. */
		AFTER(">", ">", ">="),

		/** The tuple or after it: the rows from a chunk's start on. */
		FROM(">=", ">", ">="),

		/** Before the tuple: the rows before a chunk's end. */
		BEFORE("<", "<", "<=");

		private final String operator;

		/** The comparison without equality, for the columns before the last. */
		private final String strict;

		/** The comparison with equality, bounding the first column. */
		private final String bound;

		Comparison(String operator, String strict, String bound) {
			this.operator = operator;
			this.strict = strict;
			this.bound = bound;
		}

	}

}
