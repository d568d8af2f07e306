package dev.backfill;

import java.util.Collection;

/**
 * Thrown by {@link BackfillOperations} for a name the application declares no migration
 * by.
 *
 * @since 0.1.0
 */
public class UnknownMigrationException extends DataMigrationException {

	/**
	 * Creates the exception.
	 * @param migration the name asked for
	 * @param known the names the application declares
	 */
	public UnknownMigrationException(String migration, Collection<String> known) {
		super(migration, "No migration named '" + migration + "'; the migrations are " + known, null);
	}

}
