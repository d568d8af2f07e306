package dev.backfill.chunks;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import com.zaxxer.hikari.HikariDataSource;
import dev.backfill.BackfillMode;
import dev.backfill.BackfillOperations;
import dev.backfill.BatchSizeMode;
import dev.backfill.DataMigration;
import dev.backfill.MigrationListener;
import dev.backfill.RowEstimate;
import dev.backfill.internal.operations.TrackingTableOperations;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.internal.settings.VerifySettings;
import dev.backfill.testsupport.StatementCounter;
import dev.backfill.testsupport.TestSchema;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * An instance running migration {@value #MIGRATION} with {@code parallelism} workers in the
 * test's JVM: a runner with its own owner id and DataSource, on a thread of its own. Its
 * migration adds one to {@code counter} of each row of a batch (in the batch's
 * transaction) and logs every attempt, committed or rolled back, with its worker and
 * times, in a list outside any transaction. A hook runs in each batch after its writes.
 * Its key is one column or several (a composite key, whose keys are logged as row values
 * such as {@code (3, 17)}).
 */
final class ChunkedInstance implements AutoCloseable {

	static final String MIGRATION = "chunked";

	private final HikariDataSource pool;

	/** The pool seen through a statement counter, for {@link #whenPrepared}. */
	private final StatementCounter dataSource;

	private final JdbcTemplate jdbc;

	private final MigrationTarget target;

	private final BackfillRunner runner;

	private final ExecutorService thread = Executors.newSingleThreadExecutor();

	private final Queue<Attempt> attempts;

	private volatile Hook hook = (worker, first) -> {
	};

	private Future<List<MigrationResult>> running;

	ChunkedInstance(TestSchema schema, String table, String keyColumn, int parallelism, int batchSize,
			Duration lease, Queue<Attempt> attempts, MigrationListener listener) {
		this(schema, table, List.of(keyColumn), parallelism, batchSize, lease, attempts, listener);
	}

	ChunkedInstance(TestSchema schema, String table, List<String> keyColumns, int parallelism, int batchSize,
			Duration lease, Queue<Attempt> attempts, MigrationListener listener) {
		this(schema, table, keyColumns, parallelism, batchSize, lease, attempts, listener, null,
				VerifySettings.DEFAULTS);
	}

	/**
	 * An instance whose base query selects only the rows matching {@code where} (such as
	 * {@code counter = 0}: the rows still to migrate), or every row when {@code null}, and
	 * whose verify pass does as {@code verify} says. With a condition, a batch adds one to
	 * the counter of each of its rows by key rather than of every row in its key range,
	 * which then holds migrated rows too.
	 */
	ChunkedInstance(TestSchema schema, String table, List<String> keyColumns, int parallelism, int batchSize,
			Duration lease, Queue<Attempt> attempts, MigrationListener listener, @Nullable String where,
			VerifySettings verify) {
		this.pool = schema.newDataSource(parallelism + 2);
		this.dataSource = new StatementCounter(this.pool);
		this.jdbc = new JdbcTemplate(this.dataSource.dataSource());
		this.attempts = attempts;
		MigrationSettings settings = new MigrationSettings(MIGRATION, true, batchSize, Duration.ZERO, keyColumns,
				true, null, null, BatchSizeMode.FIXED, Duration.ofMillis(500), batchSize, batchSize, RowEstimate.COUNT,
				false, verify, 1)
			.withParallelism(parallelism);
		RunnerSettings runnerSettings = new RunnerSettings(lease, Duration.ofSeconds(120), 3, Duration.ofMillis(10),
				Duration.ofMillis(100));
		MigrationDatabase database = MigrationDatabase.of(this.dataSource.dataSource(), "backfill_migrations");
		database.store().createTableIfMissing();
		this.target = new MigrationTarget(new Migration(table, keyColumns, where), settings, database);
		this.runner = new BackfillRunner(List.of(this.target), runnerSettings, listener);
	}

	/** The operations API over this instance's migration, as an application's endpoint sees it. */
	BackfillOperations operations() {
		return new TrackingTableOperations(List.of(this.target), (dataSource) -> "dataSource");
	}

	String owner() {
		return this.runner.owner();
	}

	JdbcTemplate jdbc() {
		return this.jdbc;
	}

	/** Runs {@code hook} in every batch after its writes, inside its transaction. */
	ChunkedInstance hook(Hook hook) {
		this.hook = hook;
		return this;
	}

	/**
	 * Runs {@code hook} with the SQL of each statement this instance prepares, before it runs
	 * and on the thread that runs it (inside that thread's transaction, if any).
	 */
	ChunkedInstance whenPrepared(Consumer<String> hook) {
		this.dataSource.whenPrepared(hook);
		return this;
	}

	/** Asks the runner to stop between batches, as a shutdown does. */
	void stop() {
		this.runner.stop();
	}

	ChunkedInstance start(BackfillMode mode) {
		this.running = this.thread.submit(() -> this.runner.run(mode));
		return this;
	}

	/**
	 * Runs the migration in blocking mode, taking the lease of chunk {@code chunk} for a
	 * thief (for 1.5 s) while the batch whose first key is {@code firstKey} waits, its
	 * writes done, in its transaction; then lets that batch go on to its checkpoint.
	 * @param firstKey the batch's first key, as {@link Hook} is given it
	 * @param chunk the chunk the batch belongs to
	 * @return the run's result
	 */
	MigrationResult runWithLeaseTakenMidBatch(String firstKey, int chunk) {
		CountDownLatch inBatch = new CountDownLatch(1);
		CountDownLatch stolen = new CountDownLatch(1);
		hook((worker, first) -> {
			if (first.equals(firstKey) && inBatch.getCount() > 0) {
				inBatch.countDown();
				assertThat(stolen.await(30, TimeUnit.SECONDS)).isTrue();
			}
		});
		start(BackfillMode.BLOCKING);
		try {
			assertThat(inBatch.await(60, TimeUnit.SECONDS)).isTrue();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		String until = this.target.database().store().dialect().currentTimestampPlusMillis();
		int taken = this.jdbc.update("UPDATE backfill_migrations_chunks SET lease_owner = 'thief', lease_expires_at = "
				+ until + " WHERE migration = ? AND chunk = ?", 1500, MIGRATION, chunk);
		assertThat(taken).isOne();
		stolen.countDown();
		return awaitResult(Duration.ofSeconds(120));
	}

	MigrationResult awaitResult(Duration timeout) {
		try {
			return this.running.get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(0);
		}
		catch (TimeoutException ex) {
			return fail("%s did not finish within %s", owner(), timeout);
		}
		catch (ExecutionException ex) {
			return fail("%s failed: %s", owner(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public void close() {
		this.runner.stop();
		this.thread.shutdownNow();
		try {
			this.thread.awaitTermination(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		this.pool.close();
	}

	/** One attempt at a batch: who ran it, its first and last key, when, and whether it committed. */
	record Attempt(String worker, String first, String last, long startedNanos, long endedNanos, boolean committed) {
	}

	/** Test code run inside a batch's transaction, given the worker and the batch's first key. */
	@FunctionalInterface
	interface Hook {

		void run(String worker, String firstKey) throws Exception;

	}

	private final class Migration implements DataMigration {

		private final String table;

		private final List<String> keyColumns;

		private final @Nullable String where;

		Migration(String table, List<String> keyColumns, @Nullable String where) {
			this.table = table;
			this.keyColumns = keyColumns;
			this.where = where;
		}

		@Override
		public String baseQuery() {
			return "SELECT " + String.join(", ", this.keyColumns) + " FROM " + this.table
					+ ((this.where != null) ? " WHERE " + this.where : "");
		}

		@Override
		public void migrate(List<Map<String, Object>> rows) throws Exception {
			long started = System.nanoTime();
			String worker = owner() + "/" + Thread.currentThread().getName();
			String first = keyText(rows.get(0));
			String last = keyText(rows.get(rows.size() - 1));
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCompletion(int status) {
					ChunkedInstance.this.attempts.add(new Attempt(worker, first, last, started, System.nanoTime(),
							status == STATUS_COMMITTED));
				}
			});
			int updated = (this.keyColumns.size() == 1 && this.where == null) ? updateRange(rows) : updateEach(rows);
			if (updated != rows.size()) {
				throw new IllegalStateException("Batch " + first + ".." + last + " updated " + updated + " of "
						+ rows.size() + " rows");
			}
			ChunkedInstance.this.hook.run(worker, first);
		}

		/** One key column: the batch's rows are the keys from its first to its last. */
		private int updateRange(List<Map<String, Object>> rows) {
			String column = this.keyColumns.get(0);
			return ChunkedInstance.this.jdbc.update("UPDATE " + this.table + " SET counter = counter + 1 WHERE "
					+ column + " >= ? AND " + column + " <= ?", rows.get(0).get(column),
					rows.get(rows.size() - 1).get(column));
		}

		/**
		 * A composite key, or a base query with a condition: the batch's rows by their keys,
		 * {@code (tenant_id, id) IN ((?, ?), ...)}, so that no row outside the batch is touched.
		 */
		private int updateEach(List<Map<String, Object>> rows) {
			String tuple = "(" + String.join(", ", Collections.nCopies(this.keyColumns.size(), "?")) + ")";
			return ChunkedInstance.this.jdbc.update("UPDATE " + this.table + " SET counter = counter + 1 WHERE ("
					+ String.join(", ", this.keyColumns) + ") IN (" + String.join(", ", Collections.nCopies(rows.size(),
							tuple)) + ")",
					rows.stream().flatMap((row) -> this.keyColumns.stream().map(row::get)).toArray());
		}

		/** A row's key: its value, or its values as a row value {@code (3, 17)}. */
		private String keyText(Map<String, Object> row) {
			List<String> parts = this.keyColumns.stream().map((column) -> String.valueOf(row.get(column))).toList();
			return (parts.size() == 1) ? parts.get(0) : "(" + String.join(", ", parts) + ")";
		}

	}

}
