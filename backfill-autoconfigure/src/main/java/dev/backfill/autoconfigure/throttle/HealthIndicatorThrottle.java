package dev.backfill.autoconfigure.throttle;

import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

import dev.backfill.BackfillThrottle;
import dev.backfill.ThrottleContext;
import dev.backfill.ThrottleDecision;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Holds batches back while any of the named health indicators is not {@code UP}
 * ({@code backfill.throttle-on.health-indicators}): the reason is {@code health:<name>}
 * of the first one that is not. Names are those of Spring Boot's health contributor
 * registry, as {@code /actuator/health} shows them ({@code db}, {@code diskSpace}); a
 * composite contributor must have every indicator in it {@code UP}. The indicators are
 * asked at most once per check interval, whose answer holds until then.
 *
 * @since 0.1.0
 */
public final class HealthIndicatorThrottle implements BackfillThrottle {

	private static final Logger logger = LoggerFactory.getLogger(HealthIndicatorThrottle.class);

	private final HealthContributors contributors;

	private final List<String> names;

	private final Duration checkInterval;

	private final LongSupplier nanoClock;

	private @Nullable ThrottleDecision last;

	private long lastCheckedNanos;

	/**
	 * Creates the throttle.
	 * @param contributors where the indicators are registered
	 * @param names the indicators that must be UP
	 * @param checkInterval how long an answer holds, and how long a batch waits
	 * @throws IllegalArgumentException naming an indicator that is not registered
	 */
	public HealthIndicatorThrottle(HealthContributors contributors, List<String> names, Duration checkInterval) {
		this(contributors, names, checkInterval, System::nanoTime);
	}

	HealthIndicatorThrottle(HealthContributors contributors, List<String> names, Duration checkInterval,
			LongSupplier nanoClock) {
		this.contributors = contributors;
		this.names = List.copyOf(names);
		this.checkInterval = checkInterval;
		this.nanoClock = nanoClock;
		for (String name : this.names) {
			if (contributors.getContributor(name) == null) {
				throw new IllegalArgumentException("No health indicator named '" + name + "'; the registered ones are "
						+ contributors.stream().map(HealthContributors.Entry::name).sorted().toList());
			}
		}
	}

	@Override
	public synchronized ThrottleDecision decide(ThrottleContext context) {
		long now = this.nanoClock.getAsLong();
		if (this.last == null || now - this.lastCheckedNanos >= this.checkInterval.toNanos()) {
			this.last = check(context.migration());
			this.lastCheckedNanos = now;
		}
		return this.last;
	}

	private ThrottleDecision check(String migration) {
		for (String name : this.names) {
			Status status = statusOf(this.contributors.getContributor(name));
			if (!Status.UP.equals(status)) {
				logger.debug("Backfill migration '{}': health indicator '{}' is {}", migration, name, status);
				return ThrottleDecision.waitFor(this.checkInterval, "health:" + name);
			}
		}
		return ThrottleDecision.go();
	}

	private static Status statusOf(@Nullable HealthContributor contributor) {
		if (contributor instanceof HealthIndicator indicator) {
			return indicator.health(false).getStatus();
		}
		if (contributor instanceof CompositeHealthContributor composite) {
			return composite.stream()
				.map((entry) -> statusOf(entry.contributor()))
				.filter((status) -> !Status.UP.equals(status))
				.findFirst()
				.orElse(Status.UP);
		}
		// Unregistered meanwhile, or of a kind that cannot be asked here (reactive).
		return Status.UNKNOWN;
	}

	@Override
	public String toString() {
		return "HealthIndicatorThrottle" + this.names;
	}

}
