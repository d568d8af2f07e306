package dev.backfill.internal.runner;

import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.backfill.DataMigration;
import dev.backfill.SqlMigration;
import dev.backfill.internal.settings.MigrationSettings;

/**
 * A migration ready to run: its code, its effective settings and its database.
 *
 * @param migration the migration
 * @param settings its effective settings
 * @param database the database holding its rows and its tracking row
 *
 * @since 0.1.0
 */
public record MigrationTarget(DataMigration migration, MigrationSettings settings, MigrationDatabase database) {

	/**
	 * Checks that the migration can run with its settings.
	 * @throws InvalidMigrationException if it is a dry run of a migration that is not
	 * transactional, whose writes could not be rolled back
	 */
	public MigrationTarget {
		Objects.requireNonNull(migration, "migration");
		Objects.requireNonNull(settings, "settings");
		Objects.requireNonNull(database, "database");
		DryRunWorker.refuseUnlessTransactional(settings);
	}

	/**
	 * A set-based migration ready to run: each batch runs its {@code updateSql} with the
	 * batch's keys, on the batch's transaction.
	 * @param migration the migration
	 * @param settings its effective settings
	 * @param database the database holding its rows and its tracking row
	 * @return the target
	 * @throws InvalidMigrationException if its {@code updateSql} uses a parameter other than
	 * {@code :first}, {@code :last} and {@code :keys}, or none of them
	 */
	public static MigrationTarget of(SqlMigration migration, MigrationSettings settings, MigrationDatabase database) {
		return new MigrationTarget(new SqlBatchUpdate(settings.name(), migration, settings.keyColumns(),
				database.jdbc(), database.store().dialect()), settings, database);
	}

	/**
	 * The migration's name.
	 * @return the name
	 */
	public String name() {
		return this.settings.name();
	}

	/**
	 * What kind of migration it is, as operators see it.
	 * @return {@code SqlMigration} or {@code DataMigration}
	 */
	public String kind() {
		return readsKeysOnly() ? "SqlMigration" : "DataMigration";
	}

	/**
	 * Passes a batch to the migration.
	 * @param rows the batch's rows
	 * @return the rows it touched: for a {@link SqlMigration} its statement's update count,
	 * for a {@link DataMigration} the rows passed
	 * @throws Exception what {@code migrate} threw
	 */
	int migrate(List<Map<String, Object>> rows) throws Exception {
		if (this.migration instanceof SqlBatchUpdate update) {
			return update.update(rows);
		}
		this.migration.migrate(rows);
		return rows.size();
	}

	/**
	 * Whether a batch needs only the key column of the base query's rows: a set-based
	 * migration's update reads the rest itself.
	 * @return {@code true} for a {@link SqlMigration}
	 */
	boolean readsKeysOnly() {
		return this.migration instanceof SqlBatchUpdate;
	}

}
