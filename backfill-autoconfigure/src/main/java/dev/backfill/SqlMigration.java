package dev.backfill;

/**
 * A batched, resumable data migration written as one SQL statement per batch: a
 * set-based {@link DataMigration}.
 * <p>
 * Declare implementations as Spring beans; they are named, ordered, configured, tracked
 * and measured exactly like {@code DataMigration} beans, in the same namespace. The runner
 * walks the keys of {@link #baseQuery()} in batches ordered by the key column and, for
 * each batch, runs {@link #updateSql()} in the batch's transaction, together with the
 * batch's checkpoint: the update and the checkpoint commit, or roll back, together.
 * <p>
 * {@code updateSql} uses named parameters, of which it must use at least one:
 * <ul>
 * <li>{@code :first} and {@code :last}: the batch's first and last key, inclusive, as in
 * {@code UPDATE items SET total = price * qty WHERE id BETWEEN :first AND :last AND total IS NULL}.
 * Such a range also holds rows that the base query does not select, so repeat the base
 * query's condition in the update.</li>
 * <li>{@code :keys}: the batch's keys, as in {@code UPDATE items SET total = price * qty WHERE id IN (:keys)};
 * expanded to one bind parameter per key, so the batch size must stay under the database's
 * limit of bind parameters per statement.</li>
 * </ul>
 * Like {@code migrate}, the update must not change the key column, and should be safe to
 * run again on rows it has already updated (a batch that fails transiently is retried).
 *
 * @since 0.1.0
 */
public interface SqlMigration {

	/**
	 * SQL selecting the rows still to migrate; it must select the key column(s). The runner
	 * reads only the key column of each batch from it, wrapped as a derived table with a
	 * predicate on the key, ordered by the key and limited to the batch size, so do not add
	 * your own {@code LIMIT}.
	 * @return the base query
	 */
	String baseQuery();

	/**
	 * One statement per batch, run inside the batch's transaction, with named parameters
	 * {@code :first} and {@code :last} (the batch's first and last key, inclusive) and
	 * {@code :keys} (the batch's keys). It is checked at startup: a statement that uses none
	 * of them, or any other parameter, is refused.
	 * @return the update
	 */
	String updateSql();

	/**
	 * Per-migration settings; anything left unset falls back to the {@code backfill.*}
	 * properties.
	 * @return the settings of this migration
	 */
	default DataMigrationConfig config() {
		return DataMigrationConfig.DEFAULTS;
	}

}
