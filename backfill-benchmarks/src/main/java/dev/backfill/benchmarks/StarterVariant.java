package dev.backfill.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.backfill.BackfillMode;
import dev.backfill.DataMigration;
import dev.backfill.MigrationListener;
import dev.backfill.autoconfigure.BackfillProperties;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.internal.settings.RunnerSettings;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Variants 1 and 2: this starter's runner (without Spring Boot), batch size as given,
 * throttle 0, default runner settings. Variant 1's migrate computes the value in Java and
 * writes it with a JDBC batch of one {@code UPDATE ... WHERE id = ?} per row; variant 2's
 * issues one {@code UPDATE ... WHERE id = ANY(?)} per batch.
 */
final class StarterVariant implements Variant {

	/** The tracking table, in the benchmark schema. */
	static final String TRACKING_TABLE = "backfill_migrations";

	private final boolean setBased;

	StarterVariant(boolean setBased) {
		this.setBased = setBased;
	}

	@Override
	public String id() {
		return this.setBased ? "2" : "1";
	}

	@Override
	public String title() {
		return this.setBased ? "starter, set-based migrate (1 UPDATE … WHERE id = ANY(?) per batch)"
				: "starter, per-row migrate (JDBC batch of UPDATE … WHERE id = ? per row)";
	}

	@Override
	public String twin() {
		return this.setBased ? "4" : "3";
	}

	@Override
	public int rows(BenchmarkOptions options) {
		return options.rows();
	}

	@Override
	public void prepare(JdbcTemplate jdbc) {
		jdbc.update("DELETE FROM " + TRACKING_TABLE);
	}

	@Override
	public void run(RunContext context) {
		requireCompleted(run(context, MigrationListener.NONE));
	}

	MigrationResult run(RunContext context, MigrationListener extra) {
		DataMigration migration = migration(new JdbcTemplate(context.dataSource()), context, this.setBased);
		MigrationSettings settings = new MigrationSettings("email_domain_" + id(), true, context.batchSize(),
				Duration.ZERO, "id", true, null, null);
		return run(context, (database) -> new MigrationTarget(migration, settings, database), extra);
	}

	/**
	 * Runs one migration with the starter's runner, default runner settings, reporting each
	 * batch to the context.
	 * @param context the table and DataSource
	 * @param target the migration on the tracking table's database
	 * @param extra another listener
	 * @return how it ended
	 */
	static MigrationResult run(RunContext context, Function<MigrationDatabase, MigrationTarget> target,
			MigrationListener extra) {
		MigrationDatabase database = MigrationDatabase.of(context.dataSource(), TRACKING_TABLE);
		MigrationListener listener = new MigrationListener() {
			@Override
			public void batchSucceeded(String name, int rows, Duration duration) {
				context.batches().batchDone(rows, duration.toNanos());
				extra.batchSucceeded(name, rows, duration);
			}
		};
		List<MigrationResult> results = new BackfillRunner(List.of(target.apply(database)), defaultRunnerSettings(),
				listener)
			.run(BackfillMode.BLOCKING);
		return results.get(0);
	}

	/** Fails a run that did not complete. */
	static void requireCompleted(MigrationResult result) {
		if (result.outcome() != MigrationResult.Outcome.COMPLETED) {
			throw new IllegalStateException("Migration ended " + result.outcome() + ": " + result.error());
		}
	}

	/** The user's migration, as an application would write it with a JdbcTemplate. */
	static DataMigration migration(JdbcTemplate jdbc, RunContext context, boolean setBased) {
		if (setBased) {
			String update = context.updateManySql();
			return new DataMigration() {
				@Override
				public String baseQuery() {
					return "SELECT id FROM " + context.table() + " WHERE email_domain IS NULL";
				}

				@Override
				public void migrate(List<Map<String, Object>> rows) {
					long[] ids = new long[rows.size()];
					for (int i = 0; i < ids.length; i++) {
						ids[i] = ((Number) rows.get(i).get("id")).longValue();
					}
					jdbc.update(update, (ps) -> ps.setObject(1, ids));
				}
			};
		}
		String update = context.updateOneSql();
		return new DataMigration() {
			@Override
			public String baseQuery() {
				return "SELECT id, email FROM " + context.table() + " WHERE email_domain IS NULL";
			}

			@Override
			public void migrate(List<Map<String, Object>> rows) {
				jdbc.batchUpdate(update, rows, rows.size(), (ps, row) -> {
					ps.setString(1, BenchTable.domainOf((String) row.get("email")));
					ps.setLong(2, ((Number) row.get("id")).longValue());
				});
			}
		};
	}

	/** The runner settings of an application that sets no backfill property. */
	static RunnerSettings defaultRunnerSettings() {
		BackfillProperties defaults = new BackfillProperties();
		return new RunnerSettings(defaults.getLeaseDuration(), defaults.getLockWaitTimeout(),
				defaults.getRetry().getMaxAttempts(), defaults.getRetry().getInitialBackoff(),
				defaults.getRetry().getMaxBackoff());
	}

}
