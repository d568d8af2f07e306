package dev.backfill;

import java.time.Duration;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * A {@link BackfillThrottle}'s answer: go on now, or wait this long, because of a reason.
 * The reason tags the {@code backfill.throttled} counter, so it should be short and come
 * from a small fixed set ({@code replication-lag}, {@code health:db}), not carry values.
 *
 * @since 0.1.0
 */
public final class ThrottleDecision {

	private static final ThrottleDecision GO = new ThrottleDecision(Duration.ZERO, null);

	private final Duration wait;

	private final @Nullable String reason;

	private ThrottleDecision(Duration wait, @Nullable String reason) {
		this.wait = wait;
		this.reason = reason;
	}

	/**
	 * Lets the batch run now.
	 * @return the decision to go
	 */
	public static ThrottleDecision go() {
		return GO;
	}

	/**
	 * Holds the batch back: the runner waits this long, then asks every throttle again.
	 * @param wait how long to wait, positive
	 * @param reason why, short and from a fixed set, e.g. {@code replication-lag}
	 * @return the decision to wait
	 * @throws IllegalArgumentException if the wait is not positive or the reason is blank
	 */
	public static ThrottleDecision waitFor(Duration wait, String reason) {
		Objects.requireNonNull(wait, "wait");
		Objects.requireNonNull(reason, "reason");
		if (wait.isZero() || wait.isNegative()) {
			throw new IllegalArgumentException("wait must be positive but was " + wait + " (reason '" + reason
					+ "'); answer ThrottleDecision.go() to go on");
		}
		if (reason.isBlank()) {
			throw new IllegalArgumentException("reason must not be blank (wait " + wait + ")");
		}
		return new ThrottleDecision(wait, reason);
	}

	/**
	 * Whether the batch may run now.
	 * @return {@code true} for {@link #go()}
	 */
	public boolean isGo() {
		return this.reason == null;
	}

	/**
	 * How long to wait.
	 * @return the wait, {@link Duration#ZERO} for {@link #go()}
	 */
	public Duration waitTime() {
		return this.wait;
	}

	/**
	 * Why to wait.
	 * @return the reason, {@code null} for {@link #go()}
	 */
	public @Nullable String reason() {
		return this.reason;
	}

	@Override
	public String toString() {
		return isGo() ? "go" : "wait " + this.wait + " (" + this.reason + ")";
	}

}
