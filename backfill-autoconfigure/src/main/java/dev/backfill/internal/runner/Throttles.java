package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;

import javax.sql.DataSource;

import dev.backfill.BackfillThrottle;
import dev.backfill.MigrationListener;
import dev.backfill.ThrottleContext;
import dev.backfill.ThrottleDecision;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link BackfillThrottle}s of one run of a migration: asked in order before each
 * batch, the first "wait" wins and is waited out (cut short by the stop signal), then all
 * are asked again. Keeps the latest batch durations for their context and the time spent
 * waiting, so that rates can leave it out. With no throttles it does nothing at all: no
 * context, no bookkeeping per batch.
 */
final class Throttles {

	private static final Logger logger = LoggerFactory.getLogger(Throttles.class);

	private final List<BackfillThrottle> throttles;

	private final String migration;

	private final DataSource dataSource;

	private final MigrationListener listener;

	private final StopSignal stop;

	private final ArrayDeque<Duration> recent = new ArrayDeque<>(ThrottleContext.RECENT_BATCHES);

	private long throttledNanos;

	Throttles(List<BackfillThrottle> throttles, String migration, DataSource dataSource, MigrationListener listener,
			StopSignal stop) {
		this.throttles = List.copyOf(throttles);
		this.migration = migration;
		this.dataSource = dataSource;
		this.listener = listener;
		this.stop = stop;
	}

	/**
	 * A batch committed.
	 * @param duration how long its attempt took
	 */
	void batchTook(Duration duration) {
		if (this.throttles.isEmpty()) {
			return;
		}
		if (this.recent.size() == ThrottleContext.RECENT_BATCHES) {
			this.recent.removeFirst();
		}
		this.recent.addLast(duration);
	}

	/**
	 * Waits until every throttle answers "go", or a stop is requested.
	 * @param batch the number of the batch about to run, for messages
	 * @return {@code true} if a stop was requested while waiting
	 * @throws BatchFailedException if a throttle throws
	 */
	boolean awaitGo(long batch) {
		if (this.throttles.isEmpty()) {
			return false;
		}
		long waitedNanos = 0;
		while (true) {
			ThrottleDecision decision = decide(batch);
			if (decision.isGo()) {
				if (waitedNanos > 0) {
					logger.info("Backfill migration '{}' resumes with batch {} after {} ms throttled", this.migration,
							batch, Duration.ofNanos(waitedNanos).toMillis());
				}
				return false;
			}
			String reason = decision.reason();
			if (waitedNanos == 0) {
				logger.info("Backfill migration '{}' throttled before batch {} ({}): waiting {} ms, then asking again",
						this.migration, batch, reason, decision.waitTime().toMillis());
			}
			long started = System.nanoTime();
			boolean stopped = this.stop.await(decision.waitTime());
			long waited = System.nanoTime() - started;
			waitedNanos += waited;
			this.throttledNanos += waited;
			this.listener.batchThrottled(this.migration, reason, Duration.ofNanos(waited));
			if (stopped) {
				return true;
			}
		}
	}

	/**
	 * The time this run spent waiting for throttles.
	 * @return the time
	 */
	Duration throttledTime() {
		return Duration.ofNanos(this.throttledNanos);
	}

	private ThrottleDecision decide(long batch) {
		ThrottleContext context = ThrottleContext.of(this.migration, List.copyOf(this.recent), this.dataSource);
		for (BackfillThrottle throttle : this.throttles) {
			ThrottleDecision decision;
			try {
				decision = throttle.decide(context);
			}
			catch (RuntimeException ex) {
				throw new BatchFailedException("Migration '" + this.migration + "' failed before batch " + batch
						+ ": throttle " + throttle + " failed: " + FailureText.describe(ex), ex);
			}
			if (decision == null) {
				throw new BatchFailedException("Migration '" + this.migration + "' failed before batch " + batch
						+ ": throttle " + throttle + " answered null instead of ThrottleDecision.go()",
						new NullPointerException("decision"));
			}
			if (!decision.isGo()) {
				return decision;
			}
		}
		return ThrottleDecision.go();
	}

}
