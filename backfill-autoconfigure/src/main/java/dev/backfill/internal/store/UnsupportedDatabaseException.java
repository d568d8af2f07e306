package dev.backfill.internal.store;

import org.jspecify.annotations.Nullable;

/**
 * The DataSource's database is none that backfill supports (PostgreSQL, MariaDB/MySQL,
 * H2).
 *
 * @since 0.1.0
 */
public final class UnsupportedDatabaseException extends IllegalArgumentException {

	private final @Nullable String productName;

	UnsupportedDatabaseException(@Nullable String productName) {
		super("Database '" + productName + "' is not supported by backfill (PostgreSQL, MariaDB/MySQL and H2 are)");
		this.productName = productName;
	}

	/**
	 * The database's JDBC product name.
	 * @return the name, as {@link java.sql.DatabaseMetaData#getDatabaseProductName()} gave it
	 */
	public @Nullable String getProductName() {
		return this.productName;
	}

}
