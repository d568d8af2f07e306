package dev.backfill.runner;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings shared by all migrations of a runner.
 *
 * @param leaseDuration how long an instance's claim on a migration holds without being
 * renewed; another instance takes over a migration whose lease expired. It is also the
 * longest a batch's transaction may sit idle, so a batch must never pause longer.
 * @param lockWaitTimeout in blocking mode, how long to wait for a migration another
 * instance is running before failing startup
 * @param retryMaxAttempts attempts of a batch that fails transiently, the first included
 * @param retryInitialBackoff pause before the first retry, doubled on each further one
 * @param retryMaxBackoff longest pause between retries
 */
public record RunnerSettings(Duration leaseDuration, Duration lockWaitTimeout, int retryMaxAttempts,
		Duration retryInitialBackoff, Duration retryMaxBackoff) {

	/** Defaults: 1 minute lease, 10 minutes wait, 5 attempts, 100 ms to 10 s backoff. */
	public static final RunnerSettings DEFAULTS = new RunnerSettings(Duration.ofMinutes(1), Duration.ofMinutes(10),
			5, Duration.ofMillis(100), Duration.ofSeconds(10));

	public RunnerSettings {
		Objects.requireNonNull(leaseDuration, "leaseDuration");
		Objects.requireNonNull(lockWaitTimeout, "lockWaitTimeout");
		Objects.requireNonNull(retryInitialBackoff, "retryInitialBackoff");
		Objects.requireNonNull(retryMaxBackoff, "retryMaxBackoff");
		if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0) {
			throw new IllegalArgumentException("Lease duration must be at least 1s but was " + leaseDuration);
		}
		if (retryMaxAttempts < 1) {
			throw new IllegalArgumentException("Retry max attempts must be at least 1 but was " + retryMaxAttempts);
		}
	}

	/**
	 * How often an instance waiting for another one's migration looks again.
	 * @return the poll interval
	 */
	Duration pollInterval() {
		Duration quarterLease = this.leaseDuration.dividedBy(4);
		return (quarterLease.compareTo(Duration.ofSeconds(1)) < 0) ? quarterLease : Duration.ofSeconds(1);
	}

}
