package dev.backfill.benchmarks;

import java.time.Duration;
import java.util.List;

import dev.backfill.MigrationListener;
import dev.backfill.SqlMigration;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Variant 11: variant 8's {@link SqlMigration} keyed on two columns, {@code (tenant_id,
 * id)}, with an index on both: batches ordered by the pair, the row-value predicate after
 * the checkpoint, {@code (tenant_id, id) IN (:keys)} as row values, a JSON-array checkpoint.
 * The table gets a stored {@code tenant_id} (one of 100, from the id) and the index before
 * the timing starts. Its twin is variant 8, the same migration on the one-column key.
 */
final class CompositeKeyVariant implements Variant {

	@Override
	public String id() {
		return "11";
	}

	@Override
	public String title() {
		return "starter, SqlMigration keyed on (tenant_id, id) with WHERE (tenant_id, id) IN (:keys), one thread";
	}

	@Override
	public String twin() {
		return "8";
	}

	@Override
	public int rows(BenchmarkOptions options) {
		return options.rows();
	}

	@Override
	public void prepare(JdbcTemplate jdbc) {
		jdbc.update("DELETE FROM " + StarterVariant.TRACKING_TABLE);
		jdbc.execute("ALTER TABLE " + BenchTable.NAME
				+ " ADD COLUMN tenant_id INT GENERATED ALWAYS AS ((id % 100)::int) STORED");
		jdbc.execute("CREATE INDEX " + BenchTable.NAME + "_tenant_id ON " + BenchTable.NAME + " (tenant_id, id)");
		jdbc.execute("VACUUM ANALYZE " + BenchTable.NAME);
	}

	@Override
	public void run(RunContext context) {
		SqlMigration migration = new SqlMigration() {
			@Override
			public String baseQuery() {
				return "SELECT tenant_id, id FROM " + context.table() + " WHERE email_domain IS NULL";
			}

			@Override
			public String updateSql() {
				return "UPDATE " + context.table() + " SET email_domain = " + BenchTable.DOMAIN_SQL
						+ " WHERE (tenant_id, id) IN (:keys)";
			}
		};
		MigrationSettings settings = new MigrationSettings("email_domain_11", true, context.batchSize(), Duration.ZERO,
				List.of("tenant_id", "id"), true, null, null);
		StarterVariant.requireCompleted(StarterVariant.run(context,
				(database) -> MigrationTarget.of(migration, settings, database), MigrationListener.NONE));
	}

}
