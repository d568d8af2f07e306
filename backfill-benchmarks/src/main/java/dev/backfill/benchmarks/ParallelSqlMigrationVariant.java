package dev.backfill.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.backfill.BackfillMode;
import dev.backfill.MigrationListener;
import dev.backfill.SqlMigration;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Variants 9a, 9b and 9c: variant 8's {@link SqlMigration} run in parallel chunks: 2 and
 * 4 workers on one instance, and two instances of 2 workers each (two runners with owners
 * of their own in this JVM, sharing the pool, as two replicas share a database). Their
 * twin is the single {@code UPDATE} over the whole table (variant 6), the unsafe floor the
 * issue compares them with.
 */
final class ParallelSqlMigrationVariant implements Variant {

	private final String id;

	private final int instances;

	private final int workers;

	private ParallelSqlMigrationVariant(String id, int instances, int workers) {
		this.id = id;
		this.instances = instances;
		this.workers = workers;
	}

	/** 9a, 9b, 9c. */
	static List<Variant> all() {
		return List.of(new ParallelSqlMigrationVariant("9a", 1, 2), new ParallelSqlMigrationVariant("9b", 1, 4),
				new ParallelSqlMigrationVariant("9c", 2, 2));
	}

	@Override
	public String id() {
		return this.id;
	}

	@Override
	public String title() {
		return "starter, SqlMigration with WHERE id IN (:keys), parallelism " + this.workers
				+ ((this.instances > 1) ? " on each of " + this.instances + " instances" : " on one instance");
	}

	@Override
	public String twin() {
		return "6";
	}

	@Override
	public int rows(BenchmarkOptions options) {
		return options.rows();
	}

	@Override
	public void prepare(JdbcTemplate jdbc) {
		jdbc.update("DELETE FROM " + StarterVariant.TRACKING_TABLE + "_chunks");
		jdbc.update("DELETE FROM " + StarterVariant.TRACKING_TABLE);
	}

	@Override
	public void run(RunContext context) throws Exception {
		SqlMigration migration = SqlMigrationVariant.migration(context.table(), BenchTable.DOMAIN_SQL, "id IN (:keys)");
		MigrationSettings settings = new MigrationSettings("email_domain_" + this.id, true, context.batchSize(),
				Duration.ZERO, "id", true, null, null)
			.withParallelism(this.workers);
		MigrationListener listener = new MigrationListener() {
			@Override
			public void batchSucceeded(String name, int rows, Duration duration) {
				context.batches().batchDone(rows, duration.toNanos());
			}
		};
		ExecutorService instances = Executors.newFixedThreadPool(this.instances);
		try {
			List<Future<List<MigrationResult>>> runs = new ArrayList<>();
			for (int i = 0; i < this.instances; i++) {
				MigrationDatabase database = MigrationDatabase.of(context.dataSource(), StarterVariant.TRACKING_TABLE);
				BackfillRunner runner = new BackfillRunner(List.of(MigrationTarget.of(migration, settings, database)),
						StarterVariant.defaultRunnerSettings(), listener);
				runs.add(instances.submit(() -> runner.run(BackfillMode.BLOCKING)));
			}
			for (Future<List<MigrationResult>> run : runs) {
				MigrationResult result = run.get().get(0);
				// An instance that joined after the others took every chunk reports the run done too.
				if (result.outcome() != MigrationResult.Outcome.ALREADY_COMPLETED) {
					StarterVariant.requireCompleted(result);
				}
			}
		}
		finally {
			instances.shutdownNow();
		}
	}

}
