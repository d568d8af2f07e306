package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import dev.backfill.internal.store.MigrationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;

/**
 * Keeps a migration's lease alive while a batch takes long: every third of the lease it
 * renews the lease unless a checkpoint did meanwhile, so fast batches cost no statement
 * of their own. A frozen instance's heartbeat is frozen too, which is what lets its lease
 * expire.
 */
final class LeaseHeartbeat {

	private static final Logger logger = LoggerFactory.getLogger(LeaseHeartbeat.class);

	private final String what;

	private final BooleanSupplier renewal;

	private final Duration lease;

	private final AtomicLong lastRenewalNanos = new AtomicLong(System.nanoTime());

	private volatile boolean lost;

	LeaseHeartbeat(MigrationStore store, String migration, String owner, Duration lease) {
		this("Backfill migration '" + migration + "': lease of " + owner, () -> store.renew(migration, owner, lease), lease);
	}

	/**
	 * Creates a heartbeat of any lease.
	 * @param what the lease and its holder, for messages
	 * @param renewal renews the lease, telling whether it was still held
	 * @param lease how long the lease holds unless renewed
	 */
	LeaseHeartbeat(String what, BooleanSupplier renewal, Duration lease) {
		this.what = what;
		this.renewal = renewal;
		this.lease = lease;
	}

	/**
	 * Starts renewing.
	 * @param scheduler the thread to renew on
	 * @return what to cancel when the migration ends here
	 */
	ScheduledFuture<?> start(ScheduledExecutorService scheduler) {
		// Looks every sixth of the lease and renews once a third has passed without renewal,
		// so the lease is never older than half its duration. Fixed delay, not rate: an
		// instance that was frozen must not fire the missed runs at once.
		long period = Math.max(1, this.lease.dividedBy(6).toMillis());
		return scheduler.scheduleWithFixedDelay(this::renewIfDue, period, period, TimeUnit.MILLISECONDS);
	}

	/** A checkpoint renewed the lease. */
	void renewed() {
		this.lastRenewalNanos.set(System.nanoTime());
	}

	private void renewIfDue() {
		if (this.lost || System.nanoTime() - this.lastRenewalNanos.get() < this.lease.dividedBy(3).toNanos()) {
			return;
		}
		try {
			if (this.renewal.getAsBoolean()) {
				renewed();
			}
			else {
				this.lost = true;
				logger.warn("{} could not be renewed; another instance took over", this.what);
			}
		}
		catch (DataAccessException ex) {
			logger.warn("{}: renewal failed: {}", this.what, FailureText.describe(ex));
		}
	}

}
