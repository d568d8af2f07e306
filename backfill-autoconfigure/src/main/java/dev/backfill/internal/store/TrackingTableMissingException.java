package dev.backfill.internal.store;

import dev.backfill.DataMigrationException;

/**
 * The tracking table cannot be read in the connection's current schema: it is missing
 * (typically with {@code backfill.initialize-schema=never}) or lacks columns.
 *
 * @since 0.1.0
 */
public final class TrackingTableMissingException extends DataMigrationException {

	private final String table;

	TrackingTableMissingException(String migration, String table, String databaseMessage, Throwable cause) {
		super(migration, "Cannot read the backfill tracking table '" + table
				+ "' in the connection's current schema, needed by migration '" + migration + "': "
				+ databaseMessage, cause);
		this.table = table;
	}

	/**
	 * The tracking table's name ({@code backfill.table-name}).
	 * @return the table name
	 */
	public String getTable() {
		return this.table;
	}

}
