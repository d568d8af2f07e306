package dev.backfill.autoconfigure;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import dev.backfill.BackfillMode;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.MigrationResult;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.Ordered;

/**
 * Starts the {@link BackfillRunner} once the application has started: on the calling
 * thread in blocking and job mode (so the application is ready only after every
 * migration), or on one worker thread in background mode. After that startup pass, in
 * blocking and background mode, a daemon thread watches the tracking rows for migrations
 * an operator made runnable again (resumed, retried, rerun) and runs them, see
 * {@link BackfillRunner#watch()}; job mode ends after the startup pass. On shutdown it asks
 * the runner to stop between batches and waits for it within the shutdown phase's timeout
 * ({@code spring.lifecycle.timeout-per-shutdown-phase}).
 * <p>
 * Among the application's {@link ApplicationRunner}s it runs at {@link #DEFAULT_ORDER},
 * as Spring Batch's job launcher does; {@link #setOrder(int)} moves it before or after the
 * application's own runners.
 *
 * @since 0.1.0
 */
public class BackfillApplicationRunner implements ApplicationRunner, SmartLifecycle, Ordered {

	/**
	 * The default order, 0: after runners that ask to go first with a negative order, before
	 * unordered ones (which come last), like Spring Batch's {@code JobLauncherApplicationRunner}.
	 */
	public static final int DEFAULT_ORDER = 0;

	private static final Logger logger = LoggerFactory.getLogger(BackfillApplicationRunner.class);

	private static final Set<MigrationResult.Outcome> DONE = Set.of(MigrationResult.Outcome.COMPLETED,
			MigrationResult.Outcome.ALREADY_COMPLETED, MigrationResult.Outcome.DISABLED,
			MigrationResult.Outcome.DRY_RUN);

	private final BackfillRunner runner;

	private final BackfillMode mode;

	private final AtomicInteger activeRuns = new AtomicInteger();

	private volatile CountDownLatch finished = new CountDownLatch(0);

	private volatile CountDownLatch watcherEnded = new CountDownLatch(0);

	private volatile boolean running;

	private volatile boolean everyMigrationDone;

	private volatile @Nullable RuntimeException failure;

	private ExecutorService worker;

	private int order = DEFAULT_ORDER;

	/**
	 * Creates the application runner.
	 * @param runner the backfill runner
	 * @param mode blocking, background or job
	 */
	public BackfillApplicationRunner(BackfillRunner runner, BackfillMode mode) {
		this.runner = runner;
		this.mode = mode;
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * Sets where it runs among the application's runners.
	 * @param order the order, {@link #DEFAULT_ORDER} unless set
	 */
	public void setOrder(int order) {
		this.order = order;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (this.runner.targets().isEmpty()) {
			this.everyMigrationDone = true;
			return;
		}
		this.finished = new CountDownLatch(1);
		this.activeRuns.incrementAndGet();
		if (this.mode != BackfillMode.BACKGROUND) {
			// Job mode runs as blocking mode does; BackfillJobExit ends the application after.
			try {
				List<MigrationResult> results = this.runner.run(BackfillMode.BLOCKING);
				this.everyMigrationDone = results.size() == this.runner.targets().size()
						&& results.stream().allMatch((result) -> DONE.contains(result.outcome()));
			}
			catch (RuntimeException ex) {
				this.failure = ex;
				throw ex;
			}
			finally {
				done();
			}
			if (this.mode == BackfillMode.BLOCKING) {
				startWatcher();
			}
			return;
		}
		this.worker = Executors.newSingleThreadExecutor((task) -> new Thread(task, "backfill-worker"));
		this.worker.execute(() -> {
			try {
				this.runner.run(BackfillMode.BACKGROUND);
			}
			catch (RuntimeException ex) {
				logger.error("Backfill stopped: {}", ex.getMessage(), ex);
			}
			finally {
				done();
			}
			startWatcher();
		});
		this.worker.shutdown();
	}

	/** On a daemon thread: the watcher must not keep an application without other work alive. */
	private void startWatcher() {
		this.activeRuns.incrementAndGet();
		CountDownLatch ended = new CountDownLatch(1);
		this.watcherEnded = ended;
		Thread watcher = new Thread(() -> {
			try {
				this.runner.watch();
			}
			finally {
				this.activeRuns.decrementAndGet();
				ended.countDown();
			}
		}, "backfill-watcher");
		watcher.setDaemon(true);
		watcher.start();
	}

	/**
	 * Whether a blocking run ended with every migration completed (here or before) or
	 * disabled, rather than stopped by a shutdown.
	 */
	boolean everyMigrationDone() {
		return this.everyMigrationDone;
	}

	/** What failed a blocking run, if one failed. */
	@Nullable RuntimeException failure() {
		return this.failure;
	}

	private void done() {
		this.activeRuns.decrementAndGet();
		this.finished.countDown();
	}

	/**
	 * Waits for the migrations started by {@link #run} to end: the startup pass, not the
	 * watcher that follows it.
	 * @throws InterruptedException if interrupted while waiting
	 */
	public void awaitCompletion() throws InterruptedException {
		this.finished.await();
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.runner.stop();
		this.running = false;
	}

	@Override
	public void stop(Runnable callback) {
		this.runner.stop();
		this.running = false;
		if (this.activeRuns.get() == 0) {
			callback.run();
			return;
		}
		logger.info("Backfill stopping after the current batch");
		Thread waiter = new Thread(() -> {
			try {
				this.finished.await();
				this.watcherEnded.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			finally {
				callback.run();
			}
		}, "backfill-shutdown");
		waiter.setDaemon(true);
		waiter.start();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

}
