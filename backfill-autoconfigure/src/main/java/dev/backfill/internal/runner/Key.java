package dev.backfill.internal.runner;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * A migration's key: its columns, most significant first, each one's type as the base
 * query's metadata gives it, and how a key is saved in the checkpoint. A key of one
 * column is saved as that column's text ({@link KeyType#format}), as it always was; a
 * composite key as a JSON array of its parts ({@link TupleText}).
 */
final class Key {

	/** Length of the tracking table's {@code last_key} column. */
	static final int MAX_CHECKPOINT_LENGTH = 1000;

	private final String migration;

	private final List<String> columns;

	private final List<KeyType> types;

	/**
	 * A key.
	 * @param migration the migration, for messages
	 * @param columns its columns, most significant first
	 * @param types each column's type, in the same order
	 */
	Key(String migration, List<String> columns, List<KeyType> types) {
		if (columns.isEmpty() || columns.size() != types.size()) {
			throw new IllegalArgumentException("One type per key column " + columns + " expected, got " + types);
		}
		this.migration = migration;
		this.columns = List.copyOf(columns);
		this.types = List.copyOf(types);
	}

	List<String> columns() {
		return this.columns;
	}

	boolean isComposite() {
		return this.columns.size() > 1;
	}

	/**
	 * Whether two keys are the same as Java sees them, part by part ({@link KeyType#same}).
	 * @param a a key's parts
	 * @param b another key's parts
	 * @return whether every part is the same
	 */
	boolean same(Object[] a, Object[] b) {
		for (int i = 0; i < a.length; i++) {
			if (!this.types.get(i).same(a[i], b[i])) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether {@link #same} tells what the database's comparison of the key tells: only if
	 * it does so for every part ({@link KeyType#comparesExactly()}).
	 * @return whether Java's comparison of two keys is the database's
	 */
	boolean comparesExactly() {
		return this.types.stream().allMatch(KeyType::comparesExactly);
	}

	/**
	 * The checkpoint text of a key.
	 * @param key the key
	 * @return its text
	 * @throws InvalidMigrationException if the text does not fit the tracking table
	 */
	String format(KeyValue key) {
		String text;
		if (isComposite()) {
			List<String> parts = new ArrayList<>();
			List<Boolean> numbers = new ArrayList<>();
			for (int i = 0; i < this.columns.size(); i++) {
				parts.add(this.types.get(i).format(key.parts().get(i)));
				numbers.add(this.types.get(i).isNumber());
			}
			text = TupleText.write(parts, numbers);
		}
		else {
			text = this.types.get(0).format(key.parts().get(0));
		}
		if (text.length() > MAX_CHECKPOINT_LENGTH) {
			throw new InvalidMigrationException("Key " + key + " of migration '" + this.migration + "' takes "
					+ text.length() + " characters as a checkpoint; the tracking table's last_key holds "
					+ MAX_CHECKPOINT_LENGTH, "Give migration '" + this.migration + "' a shorter key.", null);
		}
		return text;
	}

	/**
	 * The key of a checkpoint text, each part typed for binding.
	 * @param text the checkpoint text, or {@code null}
	 * @return the key, or {@code null} for no checkpoint
	 * @throws InvalidMigrationException if the text is not a key of these columns (it was
	 * saved with other key columns)
	 */
	@Nullable KeyValue parse(@Nullable String text) {
		if (text == null) {
			return null;
		}
		try {
			List<String> parts = isComposite() ? TupleText.read(text) : List.of(text);
			if (parts.size() != this.columns.size()) {
				throw new IllegalArgumentException(parts.size() + " parts for " + this.columns.size() + " columns");
			}
			List<Object> values = new ArrayList<>();
			for (int i = 0; i < parts.size(); i++) {
				values.add(this.types.get(i).parse(parts.get(i)));
			}
			return new KeyValue(values);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidMigrationException("Checkpoint " + text + " of migration '" + this.migration
					+ "' is not a key of " + describe() + ": " + ex.getMessage(),
					"Resume migration '" + this.migration + "' with the key columns it was saved with, or start it "
							+ "again from the first key by deleting its row from the tracking table.",
					ex);
		}
	}

	/**
	 * The key as messages name it.
	 * @return {@code key column 'id'}, or {@code key (tenant_id, id)} for a composite key
	 */
	String describe() {
		return describe(this.columns);
	}

	static String describe(List<String> columns) {
		return (columns.size() == 1) ? "key column '" + columns.get(0) + "'"
				: "key (" + String.join(", ", columns) + ")";
	}

}
