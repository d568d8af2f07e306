package dev.backfill;

import java.util.List;
import java.util.Map;

/**
 * A batched, resumable data migration (a "backfill").
 * <p>
 * Declare implementations as Spring beans; the bean name is the migration's name and the
 * key of its row in the tracking table. The runner selects the rows of {@link #baseQuery()}
 * in batches ordered by the key column, passes each batch to {@link #migrate(List)} and
 * records a checkpoint after every batch, so a restarted application resumes after the
 * last finished batch.
 * <p>
 * Write {@code migrate} so that it is safe to run again on rows it has already seen: when
 * it writes through the migration's {@code DataSource} its writes commit together with the
 * checkpoint (exactly once), while calls to outside systems are delivered at least once.
 *
 * @since 0.1.0
 */
public interface DataMigration {

	/**
	 * SQL selecting the rows still to migrate; it must select the key column. The runner
	 * wraps it as a derived table, adds a predicate on the key, orders by the key and
	 * limits it to the batch size, so do not add your own {@code ORDER BY} or {@code LIMIT}.
	 * @return the base query
	 */
	String baseQuery();

	/**
	 * Migrates one batch; throw to fail the batch.
	 * @param rows the batch's rows as column-name to value maps whose keys are
	 * case-insensitive, in key order
	 * @throws Exception to fail the batch (transient database failures are retried, any
	 * other exception marks the migration {@code FAILED})
	 */
	void migrate(List<Map<String, Object>> rows) throws Exception;

	/**
	 * Per-migration settings; anything left unset falls back to the {@code backfill.*}
	 * properties.
	 * @return the settings of this migration
	 */
	default DataMigrationConfig config() {
		return DataMigrationConfig.DEFAULTS;
	}

}
