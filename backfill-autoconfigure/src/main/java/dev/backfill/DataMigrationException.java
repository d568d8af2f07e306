package dev.backfill;

import org.jspecify.annotations.Nullable;

/**
 * A data migration could not run or failed. The message names the migration and, for a
 * failed batch, the key range it covered.
 *
 * @since 0.1.0
 */
public class DataMigrationException extends RuntimeException {

	private final String migration;

	/**
	 * Creates an exception about a migration.
	 * @param migration the migration's name
	 * @param message what went wrong, naming the migration
	 * @param cause the cause, if any
	 */
	public DataMigrationException(String migration, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.migration = migration;
	}

	/**
	 * The name of the migration this is about.
	 * @return the migration's name
	 */
	public String getMigration() {
		return this.migration;
	}

}
