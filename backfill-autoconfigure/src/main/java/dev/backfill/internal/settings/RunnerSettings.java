package dev.backfill.internal.settings;

import java.time.Duration;

/**
 * Settings shared by all migrations of a runner, each checked where it was given with its
 * {@link Setting}'s rule.
 *
 * @param leaseDuration how long an instance's claim on a migration holds without being
 * renewed; another instance takes over a migration whose lease expired. It is also the
 * longest a batch's transaction may sit idle, so a batch must never pause longer.
 * @param lockWaitTimeout in blocking mode, how long to wait for a migration another
 * instance is running before failing startup
 * @param retryMaxAttempts attempts of a batch that fails transiently, the first included
 * @param retryInitialBackoff pause before the first retry, doubled on each further one
 * @param retryMaxBackoff longest pause between retries
 * @param progressLogInterval how often a running migration logs its progress line
 *
 * @since 0.1.0
 */
public record RunnerSettings(Duration leaseDuration, Duration lockWaitTimeout, int retryMaxAttempts,
		Duration retryInitialBackoff, Duration retryMaxBackoff, Duration progressLogInterval) {

	/** How often a running migration logs its progress unless told otherwise. */
	public static final Duration DEFAULT_PROGRESS_LOG_INTERVAL = Duration.ofSeconds(10);

	/**
	 * Settings with the default progress log interval.
	 * @param leaseDuration how long a lease holds without being renewed
	 * @param lockWaitTimeout in blocking mode, how long to wait for another instance
	 * @param retryMaxAttempts attempts of a batch, the first included
	 * @param retryInitialBackoff pause before the first retry
	 * @param retryMaxBackoff longest pause between retries
	 */
	public RunnerSettings(Duration leaseDuration, Duration lockWaitTimeout, int retryMaxAttempts,
			Duration retryInitialBackoff, Duration retryMaxBackoff) {
		this(leaseDuration, lockWaitTimeout, retryMaxAttempts, retryInitialBackoff, retryMaxBackoff,
				DEFAULT_PROGRESS_LOG_INTERVAL);
	}

	/**
	 * How often an instance waiting for another one's migration looks again.
	 * @return the poll interval
	 */
	public Duration pollInterval() {
		Duration quarterLease = this.leaseDuration.dividedBy(4);
		return (quarterLease.compareTo(Duration.ofSeconds(1)) < 0) ? quarterLease : Duration.ofSeconds(1);
	}

}
