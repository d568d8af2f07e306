package dev.backfill.internal.runner;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The key must be unique and not null, or the keyset walk ({@code key > last}) skips
 * rows: every row sharing the last key of a batch, and every row whose key is NULL (for
 * a composite key: whose key has a NULL part). This checks each batch as read, with no
 * statement of its own: the batch is read with one row more than its size (the peek row,
 * never migrated), and since rows come in key order, a row that {@code key > last} would
 * skip is either next to the last row inside the batch or the peek row. Comparing
 * neighbours therefore catches it, and any other duplicate inside the batch too.
 */
final class KeyRules {

	private final String migration;

	private final List<String> keyColumns;

	KeyRules(String migration, List<String> keyColumns) {
		this.migration = migration;
		this.keyColumns = List.copyOf(keyColumns);
	}

	/**
	 * Checks the keys of the rows read for one batch.
	 * @param rows the rows as read, in key order, perhaps with the peek row after the
	 * batch's own
	 * @param batchSize the batch size (so a row at that index is the peek row)
	 * @param key the key's columns and types
	 * @param batch the batch's number, for messages
	 * @param occursMoreThanOnce asks the database whether a key occurs more than once, by
	 * its own collation
	 * @throws InvalidMigrationException if a key is NULL or occurs more than once
	 */
	void check(List<Map<String, Object>> rows, int batchSize, Key key, long batch,
			Predicate<KeyValue> occursMoreThanOnce) {
		Object[] previous = null;
		for (Map<String, Object> row : rows) {
			Object[] parts = partsOf(row);
			if (previous != null && key.same(previous, parts)) {
				throw duplicate(KeyValue.of(parts), batch);
			}
			previous = parts;
		}
		// Java sees two text keys, but the column's collation may see one, and key > last
		// would then skip the peek row: the database decides, one indexed count a batch.
		if (rows.size() > batchSize && !key.comparesExactly()) {
			KeyValue last = keyOf(rows.get(batchSize - 1));
			if (occursMoreThanOnce.test(last)) {
				throw duplicate(last, batch);
			}
		}
	}

	/**
	 * The key of a row.
	 * @param row the row
	 * @return its key
	 * @throws InvalidMigrationException if it is NULL, or a part of it is
	 */
	KeyValue keyOf(Map<String, Object> row) {
		return KeyValue.of(partsOf(row));
	}

	private Object[] partsOf(Map<String, Object> row) {
		Object[] parts = new Object[this.keyColumns.size()];
		for (int i = 0; i < parts.length; i++) {
			parts[i] = row.get(this.keyColumns.get(i));
			if (parts[i] == null) {
				throw nullKeys();
			}
		}
		return parts;
	}

	/**
	 * The failure of a migration that has rows whose key is NULL or has a NULL part.
	 * @return the exception to throw
	 */
	InvalidMigrationException nullKeys() {
		String rows = (this.keyColumns.size() == 1) ? "rows whose key column '" + this.keyColumns.get(0) + "' is NULL"
				: "rows whose " + Key.describe(this.keyColumns) + " has a NULL part";
		return new InvalidMigrationException("Migration '" + this.migration + "' has " + rows
				+ "; backfill needs a unique, not-null key to walk the table without skipping rows",
				"Give those rows a key, or leave them out of the base query (WHERE "
						+ String.join(" IS NOT NULL AND ", this.keyColumns) + " IS NOT NULL).",
				null);
	}

	private InvalidMigrationException duplicate(KeyValue key, long batch) {
		String described = Key.describe(this.keyColumns);
		return new InvalidMigrationException(Character.toUpperCase(described.charAt(0)) + described.substring(1)
				+ " of migration '" + this.migration + "' is not unique: value " + key + " occurs more than once "
				+ "(in batch " + batch + "); backfill needs a unique, not-null key to walk the table without skipping rows",
				"Give the migration key columns whose values together are unique and not null (its table's primary "
						+ "key, or unique not-null columns the base query selects) with DataMigrationConfig.builder()"
						+ ".keyColumn(...) or .keyColumns(...), then start again: batches committed before this one "
						+ "stay committed.",
				null);
	}

}
