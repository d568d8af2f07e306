package dev.backfill.autoconfigure;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import dev.backfill.BackfillMode;
import dev.backfill.internal.runner.BackfillRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.Ordered;

/**
 * Starts the {@link BackfillRunner} once the application has started: on the calling
 * thread in blocking mode (so the application is ready only after every migration), or on
 * one worker thread in background mode. On shutdown it asks the runner to stop between
 * batches and waits for it within the shutdown phase's timeout
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

	private final BackfillRunner runner;

	private final BackfillMode mode;

	private final AtomicInteger activeRuns = new AtomicInteger();

	private volatile CountDownLatch finished = new CountDownLatch(0);

	private volatile boolean running;

	private ExecutorService worker;

	private int order = DEFAULT_ORDER;

	/**
	 * Creates the application runner.
	 * @param runner the backfill runner
	 * @param mode blocking or background
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
			return;
		}
		this.finished = new CountDownLatch(1);
		this.activeRuns.incrementAndGet();
		if (this.mode == BackfillMode.BLOCKING) {
			try {
				this.runner.run(BackfillMode.BLOCKING);
			}
			finally {
				done();
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
		});
		this.worker.shutdown();
	}

	private void done() {
		this.activeRuns.decrementAndGet();
		this.finished.countDown();
	}

	/**
	 * Waits for the migrations started by {@link #run} to end.
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
