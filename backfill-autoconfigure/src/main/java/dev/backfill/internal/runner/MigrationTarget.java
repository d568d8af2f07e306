package dev.backfill.internal.runner;

import java.util.Objects;

import dev.backfill.DataMigration;
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

	public MigrationTarget {
		Objects.requireNonNull(migration, "migration");
		Objects.requireNonNull(settings, "settings");
		Objects.requireNonNull(database, "database");
	}

	/**
	 * The migration's name.
	 * @return the name
	 */
	public String name() {
		return this.settings.name();
	}

}
