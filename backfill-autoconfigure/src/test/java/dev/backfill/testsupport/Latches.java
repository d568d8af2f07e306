package dev.backfill.testsupport;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Waiting for latches in tests, from test code and from inside {@code migrate} alike. */
public final class Latches {

	private Latches() {
	}

	/**
	 * Waits for a latch, a minute at most.
	 * @param latch the latch
	 * @throws IllegalStateException if it was not released within a minute, or the wait was
	 * interrupted
	 */
	public static void await(CountDownLatch latch) {
		try {
			if (!latch.await(60, TimeUnit.SECONDS)) {
				throw new IllegalStateException("not released");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
