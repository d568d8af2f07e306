package dev.backfill.internal.runner;

import java.util.List;

import dev.backfill.SqlMigration;
import dev.backfill.internal.store.OneStatementBatch;
import dev.backfill.internal.store.SqlDialect;
import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
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

	@Test
	void keysInAnInListAndTheRangeBecomeExpressionsOverTheStatementsOwnKeys() {
		assertThat(inOneStatement("UPDATE items SET migrated = 1 WHERE id IN (:keys) OR id NOT in ( :keys );\n"))
			.isEqualTo("UPDATE items SET migrated = 1 WHERE id IN (SELECT k FROM keys) OR id NOT IN (SELECT k FROM keys)");
		assertThat(inOneStatement("UPDATE items SET migrated = id::int WHERE id BETWEEN :first AND :last"))
			.isEqualTo("UPDATE items SET migrated = id::int WHERE id BETWEEN (MIN) AND (MAX)");
		assertThat(inOneStatement("delete FROM items WHERE id >= :first AND id <= :last")).isNotNull();
	}

	@Test
	void updateThatCannotBeRewrittenSafelyKeepsStatementsOfTheirOwn() {
		// :keys outside IN (...), in a string beside a real parameter, in a comment; two statements; not DML.
		assertThat(inOneStatement("UPDATE items SET migrated = 1 WHERE id = ANY(ARRAY[:keys])")).isNull();
		assertThat(inOneStatement("UPDATE items SET note = 'id IN (:keys)' WHERE id IN (:keys)")).isNull();
		assertThat(inOneStatement("UPDATE items SET note = ':first' WHERE id BETWEEN :first AND :last")).isNull();
		assertThat(inOneStatement("UPDATE items SET migrated = 1 WHERE id IN (:keys) -- not :last")).isNull();
		assertThat(inOneStatement("UPDATE items SET migrated = 1 WHERE id IN (:keys); SELECT 1")).isNull();
		assertThat(inOneStatement("WITH x AS (SELECT 1) UPDATE items SET migrated = 1 WHERE id IN (:keys)")).isNull();
	}

	@Test
	void onPostgresqlTheKeysAreOneArrayThatTheTableIsReadByNotASubSelect() {
		OneStatementBatch postgres = SqlDialect.forProductName("PostgreSQL").oneStatementBatch();
		assertThat(update("UPDATE items SET migrated = 1 WHERE id IN (:keys) OR id NOT IN (:keys)")
			.inOneStatement(postgres))
			.isEqualTo("UPDATE items SET migrated = 1 WHERE id = ANY (ARRAY(SELECT unnest(backfill_batch_keys) FROM "
					+ "backfill_read)) OR id <> ALL (ARRAY(SELECT unnest(backfill_batch_keys) FROM backfill_read))");
	}

	@Test
	void keysInAnInListBecomeOneArrayParameterUnlessAKeysIsElsewhere() {
		assertThat(SqlBatchUpdate.withKeysArray("UPDATE items SET migrated = 1 WHERE id IN (:keys) OR id NOT in ( :keys )"))
			.isEqualTo("UPDATE items SET migrated = 1 WHERE id = ANY (:keys) OR id <> ALL (:keys)");
		assertThat(SqlBatchUpdate.withKeysArray("UPDATE items SET migrated = 1 WHERE id BETWEEN :first AND :last "
				+ "AND id IN (:keys)"))
			.isEqualTo("UPDATE items SET migrated = 1 WHERE id BETWEEN :first AND :last AND id = ANY (:keys)");
		assertThat(SqlBatchUpdate.withKeysArray("UPDATE items SET migrated = 1 WHERE id = ANY(ARRAY[:keys])")).isNull();
		assertThat(SqlBatchUpdate.withKeysArray("UPDATE items SET note = 'id IN (:keys)' WHERE id IN (:keys)")).isNull();
		assertThat(SqlBatchUpdate.withKeysArray("UPDATE items SET note = 'x IN (:keys)' WHERE id IN (SELECT :keys)"))
			.isNull();
		assertThat(SqlBatchUpdate.withKeysArray("UPDATE items SET migrated = 1 WHERE id BETWEEN :first AND :last"))
			.isNull();
	}

	private static String inOneStatement(String updateSql) {
		return update(updateSql).inOneStatement(new OneStatementBatch() {
			@Override
			public String inKeys() {
				return "IN (SELECT k FROM keys)";
			}

			@Override
			public String notInKeys() {
				return "NOT IN (SELECT k FROM keys)";
			}

			@Override
			public String firstKey() {
				return "(MIN)";
			}

			@Override
			public String lastKey() {
				return "(MAX)";
			}

			@Override
			public String lastKeyText() {
				throw new UnsupportedOperationException();
			}

			@Override
			public String batchRows() {
				throw new UnsupportedOperationException();
			}

			@Override
			public String statement(String batchQuery, int batchSize, String update, String checkpoint) {
				throw new UnsupportedOperationException();
			}
		});
	}

	private static void check(String updateSql) {
		update(updateSql);
	}

	private static SqlBatchUpdate update(String updateSql) {
		return new SqlBatchUpdate("fill", new SqlMigration() {

			@Override
			public String baseQuery() {
				return "SELECT id FROM items";
			}

			@Override
			public String updateSql() {
				return updateSql;
			}

		}, List.of("id"), new JdbcTemplate(), SqlDialect.forProductName("H2"));
	}

}
