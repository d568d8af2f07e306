package dev.backfill.resilience;

import java.time.Duration;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.fail;

/** Polling waits that fail with the watched application's log. */
final class Waiting {

	private Waiting() {
	}

	/**
	 * Waits until a condition holds, failing if it does not within the timeout or if the
	 * watched process exits first.
	 * @param what what is awaited, for the failure message
	 * @param timeout how long to wait
	 * @param watched the process the condition depends on, or {@code null}
	 * @param condition the condition, polled every 5 ms
	 */
	static void await(String what, Duration timeout, FixtureProcess watched, BooleanSupplier condition) {
		await(what, timeout, watched, Duration.ofMillis(5), condition);
	}

	/**
	 * Waits until a condition holds, polling it at the given interval.
	 * @param what what is awaited, for the failure message
	 * @param timeout how long to wait
	 * @param watched the process the condition depends on, or {@code null}
	 * @param interval the pause between two polls
	 * @param condition the condition
	 */
	static void await(String what, Duration timeout, FixtureProcess watched, Duration interval,
			BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (watched != null && !watched.isAlive()) {
				if (condition.getAsBoolean()) {
					return;
				}
				fail("%s exited while waiting for %s; its log:%n%s", watched, what, watched.log());
			}
			if (System.nanoTime() - deadline > 0) {
				fail("Timed out after %s waiting for %s%s", timeout, what,
						(watched != null) ? "; log of " + watched + ":\n" + watched.log() : "");
			}
			pause(interval);
		}
	}

	static void pause(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
