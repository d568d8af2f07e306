package dev.backfill.testsupport;

import dev.backfill.SqlMigration;

/** A {@link SqlMigration} of a base query and an update, with the default settings. */
public final class SqlMigrations {

	private SqlMigrations() {
	}

	public static SqlMigration of(String baseQuery, String updateSql) {
		return new SqlMigration() {
			@Override
			public String baseQuery() {
				return baseQuery;
			}

			@Override
			public String updateSql() {
				return updateSql;
			}
		};
	}

}
