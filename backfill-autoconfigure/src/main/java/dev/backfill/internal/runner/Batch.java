package dev.backfill.internal.runner;

import java.util.List;
import java.util.Map;

/**
 * One batch as read: the rows to pass to {@code migrate}, in key order, and whether it is
 * the last (the query found no row after them).
 *
 * @param rows the rows, at most the batch size
 * @param last whether no row follows them
 */
record Batch(List<Map<String, Object>> rows, boolean last) {

	boolean isEmpty() {
		return this.rows.isEmpty();
	}

	Map<String, Object> firstRow() {
		return this.rows.get(0);
	}

	Map<String, Object> lastRow() {
		return this.rows.get(this.rows.size() - 1);
	}

}
