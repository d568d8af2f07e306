package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A one-way request to stop between batches, which also cuts short any pause. */
final class StopSignal {

	private final CountDownLatch stopped = new CountDownLatch(1);

	void request() {
		this.stopped.countDown();
	}

	boolean isRequested() {
		return this.stopped.getCount() == 0;
	}

	/**
	 * Pauses unless a stop is requested meanwhile.
	 * @param pause how long to pause
	 * @return {@code true} if a stop was requested
	 */
	boolean await(Duration pause) {
		if (pause.isZero() || pause.isNegative()) {
			return isRequested();
		}
		try {
			return this.stopped.await(pause.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			request();
			return true;
		}
	}

}
