package dev.backfill.benchmarks;

import java.time.Duration;

import dev.backfill.MigrationListener;
import dev.backfill.SqlMigration;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Variants 8 and 8b: the same backfill declared as a {@link SqlMigration}, one thread,
 * batch size as given. On PostgreSQL each batch is one statement (data-modifying CTEs
 * that read the batch's keys, run the update and save the checkpoint) and its commit.
 * Variant 8's update reads the batch's keys ({@code IN (:keys)}), 8b's their range
 * ({@code BETWEEN :first AND :last}, repeating the base query's condition).
 */
final class SqlMigrationVariant implements Variant {

	private final boolean byRange;

	SqlMigrationVariant(boolean byRange) {
		this.byRange = byRange;
	}

	@Override
	public String id() {
		return this.byRange ? "8b" : "8";
	}

	@Override
	public String title() {
		return this.byRange ? "starter, SqlMigration with WHERE id BETWEEN :first AND :last, one thread"
				: "starter, SqlMigration with WHERE id IN (:keys), one thread";
	}

	@Override
	public String twin() {
		return "4";
	}

	@Override
	public int rows(BenchmarkOptions options) {
		return options.rows();
	}

	@Override
	public void prepare(JdbcTemplate jdbc) {
		jdbc.update("DELETE FROM " + StarterVariant.TRACKING_TABLE);
	}

	@Override
	public void run(RunContext context) {
		String condition = this.byRange ? "id BETWEEN :first AND :last AND email_domain IS NULL" : "id IN (:keys)";
		SqlMigration migration = migration(context.table(), BenchTable.DOMAIN_SQL, condition);
		MigrationSettings settings = new MigrationSettings("email_domain_" + id(), true, context.batchSize(),
				Duration.ZERO, "id", true, null, null);
		StarterVariant.requireCompleted(StarterVariant.run(context,
				(database) -> MigrationTarget.of(migration, settings, database), MigrationListener.NONE));
	}

	/** The set-based backfill of the table as a SqlMigration: its base query, and an update with a condition. */
	static SqlMigration migration(String table, String domainSql, String condition) {
		return new SqlMigration() {
			@Override
			public String baseQuery() {
				return "SELECT id FROM " + table + " WHERE email_domain IS NULL";
			}

			@Override
			public String updateSql() {
				return "UPDATE " + table + " SET email_domain = " + domainSql + " WHERE " + condition;
			}
		};
	}

}
