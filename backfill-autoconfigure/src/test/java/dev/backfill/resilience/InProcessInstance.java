package dev.backfill.resilience;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.zaxxer.hikari.HikariDataSource;
import dev.backfill.BackfillMode;
import dev.backfill.DataMigration;
import dev.backfill.MigrationListener;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.internal.settings.RunnerSettings;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * An instance of the fixture's migration inside the test's JVM: a {@link BackfillRunner}
 * of its own (its own owner id) on a DataSource of its own, running on a thread of its
 * own, so that a test can hold it at a point of a batch with latches while another
 * instance acts. Its migration does what {@link FixtureApplication}'s does (increments
 * each row's counter and records the batch under this instance's owner id, in the batch's
 * transaction), with hooks before and after those writes, called on the batch's thread
 * inside its transaction.
 */
final class InProcessInstance implements AutoCloseable {

	private final HikariDataSource dataSource;

	private final JdbcTemplate jdbc;

	private final BackfillRunner runner;

	private final ExecutorService thread = Executors.newSingleThreadExecutor();

	private volatile BatchHook beforeWrites = BatchHook.NONE;

	private volatile BatchHook afterWrites = BatchHook.NONE;

	private Future<List<MigrationResult>> running;

	private InProcessInstance(FixtureDatabase db, int batchSize, Duration lease) {
		this.dataSource = db.schema().newDataSource(3);
		this.jdbc = new JdbcTemplate(this.dataSource);
		MigrationSettings settings = new MigrationSettings(FixtureApplication.MIGRATION, true, batchSize,
				Duration.ZERO, "id", true, null, null);
		RunnerSettings runnerSettings = new RunnerSettings(lease, Duration.ofSeconds(60), 3, Duration.ofMillis(10),
				Duration.ofMillis(100));
		MigrationTarget target = new MigrationTarget(new Migration(), settings,
				MigrationDatabase.of(this.dataSource, "backfill_migrations"));
		this.runner = new BackfillRunner(List.of(target), runnerSettings, MigrationListener.NONE);
	}

	/**
	 * Creates an instance; the tracking table is created by the first one.
	 * @param db the fixture's schema
	 * @param batchSize rows per batch
	 * @param lease the lease duration (and so the idle-transaction guard)
	 * @return the instance, not yet running
	 */
	static InProcessInstance create(FixtureDatabase db, int batchSize, Duration lease) {
		InProcessInstance instance = new InProcessInstance(db, batchSize, lease);
		MigrationDatabase.of(instance.dataSource, "backfill_migrations").store().createTableIfMissing();
		return instance;
	}

	/** This instance's owner id, as in {@code lease_owner} and {@code fixture_batches.owner}. */
	String owner() {
		return this.runner.owner();
	}

	/** Operations on this instance's DataSource: in a hook they join the batch's transaction. */
	JdbcTemplate jdbc() {
		return this.jdbc;
	}

	/** Runs {@code hook} in every batch before its writes. */
	InProcessInstance beforeWrites(BatchHook hook) {
		this.beforeWrites = hook;
		return this;
	}

	/** Runs {@code hook} in every batch after its writes, before {@code migrate} returns. */
	InProcessInstance afterWrites(BatchHook hook) {
		this.afterWrites = hook;
		return this;
	}

	/** Starts running the migration on this instance's thread; returns at once. */
	InProcessInstance start(BackfillMode mode) {
		this.running = this.thread.submit(() -> this.runner.run(mode));
		return this;
	}

	/** Asks the runner to stop between batches. */
	void stop() {
		this.runner.stop();
	}

	/**
	 * Waits for the run to end.
	 * @param timeout how long to wait
	 * @return how the migration ended on this instance
	 */
	MigrationResult awaitResult(Duration timeout) {
		try {
			List<MigrationResult> results = this.running.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(results).as("results of %s", owner()).hasSize(1);
			return results.get(0);
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
		this.dataSource.close();
	}

	/**
	 * Keeps a batch's transaction busy, running one short statement after another, until
	 * the latch opens: a live owner at work, never idle long enough for the
	 * idle-transaction guard.
	 * @param latch what to wait for
	 * @param jdbc operations joining the batch's transaction
	 * @param statement the statement to repeat
	 * @param timeout how long at most
	 * @return how many statements ran
	 */
	static int busyUntil(CountDownLatch latch, JdbcTemplate jdbc, String statement, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		int statements = 0;
		try {
			do {
				jdbc.queryForList(statement);
				statements++;
				if (System.nanoTime() - deadline > 0) {
					throw new IllegalStateException("Latch not opened within " + timeout);
				}
			}
			while (!latch.await(5, TimeUnit.MILLISECONDS));
			return statements;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Waits for a latch, failing the test if it does not open in time.
	 * @param latch the latch
	 * @param what what it signals, for the message
	 * @param timeout how long to wait
	 */
	static void await(CountDownLatch latch, String what, Duration timeout) {
		try {
			if (!latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
				fail("Timed out after %s waiting for %s", timeout, what);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** Test code run inside a batch's transaction, given the batch's first id. */
	@FunctionalInterface
	interface BatchHook {

		BatchHook NONE = (firstId) -> {
		};

		void run(long firstId) throws Exception;

	}

	private final class Migration implements DataMigration {

		@Override
		public String baseQuery() {
			return "SELECT id FROM fixture_rows";
		}

		@Override
		public void migrate(List<Map<String, Object>> rows) throws Exception {
			long first = ((Number) rows.get(0).get("id")).longValue();
			InProcessInstance.this.beforeWrites.run(first);
			FixtureApplication.writeBatch(InProcessInstance.this.jdbc, owner(), rows, Duration.ZERO);
			InProcessInstance.this.afterWrites.run(first);
		}

	}

}
