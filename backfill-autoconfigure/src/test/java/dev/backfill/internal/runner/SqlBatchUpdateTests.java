package dev.backfill.internal.runner;

import java.util.List;

import dev.backfill.SqlMigration;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The startup checks of a {@link SqlMigration}'s update, which need no database. */
class SqlBatchUpdateTests {

	@Test
	void updateMixingNamedParametersWithPlaceholdersIsRefused() {
		assertThatExceptionOfType(InvalidMigrationException.class)
			.isThrownBy(() -> check("UPDATE items SET migrated = ? WHERE id IN (:keys)"))
			.withMessageStartingWith("SqlMigration 'fill' has an updateSql that cannot be run: Not allowed to mix "
					+ "named and traditional ? placeholders")
			.withMessageEndingWith("[UPDATE items SET migrated = ? WHERE id IN (:keys)]");
	}

	@Test
	void blankUpdateIsRefused() {
		assertThatExceptionOfType(InvalidMigrationException.class).isThrownBy(() -> check("  "))
			.withMessage("SqlMigration 'fill' has no updateSql [  ]");
	}

	private static void check(String updateSql) {
		new SqlBatchUpdate("fill", new SqlMigration() {

			@Override
			public String baseQuery() {
				return "SELECT id FROM items";
			}

			@Override
			public String updateSql() {
				return updateSql;
			}

		}, List.of("id"), new JdbcTemplate());
	}

}
