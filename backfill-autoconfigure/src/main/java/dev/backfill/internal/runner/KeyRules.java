package dev.backfill.internal.runner;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The key must be unique and not null, or the keyset walk ({@code key > last}) skips
 * rows: every row sharing the last key of a batch, and every row whose key is NULL. This
 * checks each batch as read, with no statement of its own: the batch is read with one
 * row more than its size (the peek row, never migrated), and since rows come in key
 * order, a row that {@code key > last} would skip is either next to the last row inside
 * the batch or the peek row. Comparing neighbours therefore catches it, and any other
 * duplicate inside the batch too.
 */
final class KeyRules {

	private final String migration;

	private final String keyColumn;

	KeyRules(String migration, String keyColumn) {
		this.migration = migration;
		this.keyColumn = keyColumn;
	}

	/**
	 * Checks the keys of the rows read for one batch.
	 * @param rows the rows as read, in key order, perhaps with the peek row after the
	 * batch's own
	 * @param batchSize the batch size (so a row at that index is the peek row)
	 * @param keyType the key's type
	 * @param batch the batch's number, for messages
	 * @param occursMoreThanOnce asks the database whether a key occurs more than once, by
	 * its own collation
	 * @throws InvalidMigrationException if a key is NULL or occurs more than once
	 */
	void check(List<Map<String, Object>> rows, int batchSize, KeyType keyType, long batch,
			Predicate<Object> occursMoreThanOnce) {
		Object previous = null;
		for (Map<String, Object> row : rows) {
			Object key = keyOf(row);
			if (previous != null && keyType.same(previous, key)) {
				throw duplicate(keyType, key, batch);
			}
			previous = key;
		}
		// Java sees two text keys, but the column's collation may see one, and key > last
		// would then skip the peek row: the database decides, one indexed count a batch.
		if (rows.size() > batchSize && !keyType.comparesExactly()) {
			Object last = keyOf(rows.get(batchSize - 1));
			if (occursMoreThanOnce.test(last)) {
				throw duplicate(keyType, last, batch);
			}
		}
	}

	/**
	 * The key of a row.
	 * @param row the row
	 * @return its key value
	 * @throws InvalidMigrationException if it is NULL
	 */
	Object keyOf(Map<String, Object> row) {
		Object key = row.get(this.keyColumn);
		if (key == null) {
			throw nullKeys();
		}
		return key;
	}

	/**
	 * The failure of a migration that has rows whose key is NULL.
	 * @return the exception to throw
	 */
	InvalidMigrationException nullKeys() {
		return new InvalidMigrationException("Migration '" + this.migration + "' has rows whose key column '"
				+ this.keyColumn + "' is NULL; backfill needs a unique, not-null key to walk the table without "
				+ "skipping rows", "Give those rows a key, or leave them out of the base query (WHERE "
						+ this.keyColumn + " IS NOT NULL).", null);
	}

	private InvalidMigrationException duplicate(KeyType keyType, Object key, long batch) {
		return new InvalidMigrationException("Key column '" + this.keyColumn + "' of migration '" + this.migration
				+ "' is not unique: value " + keyType.format(key) + " occurs more than once (in batch " + batch
				+ "); backfill needs a unique, not-null key to walk the table without skipping rows",
				"Give the migration a key column whose values are unique and not null (its table's primary key, or "
						+ "a unique not-null column the base query selects) with DataMigrationConfig.builder()"
						+ ".keyColumn(...), then start again: batches committed before this one stay committed.",
				null);
	}

}
