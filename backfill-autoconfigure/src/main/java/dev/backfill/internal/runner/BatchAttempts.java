package dev.backfill.internal.runner;

import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

/**
 * The attempts at one batch: where it starts, which keys it read, how it last failed, and
 * whether that failure was a lost connection suspected of being the idle-transaction
 * guard's doing.
 */
final class BatchAttempts {

	private Position from;

	private int count;

	private @Nullable Throwable lastFailure;

	private boolean lastSuspectedIdleEnd;

	private @Nullable KeyValue firstKey;

	private @Nullable KeyValue lastKey;

	BatchAttempts(Position from) {
		this.from = from;
	}

	/**
	 * Starts an attempt; a retry starts from the checkpoint in the database, since the
	 * failed attempt may have committed.
	 * @param reload reads the checkpoint, given where the failed attempt started
	 */
	Position begin(UnaryOperator<Position> reload) {
		if (this.count++ > 0) {
			this.from = reload.apply(this.from);
		}
		this.firstKey = null;
		this.lastKey = null;
		return this.from;
	}

	void keys(KeyValue first, KeyValue last) {
		this.firstKey = first;
		this.lastKey = last;
	}

	/** Where the current attempt started. */
	Position from() {
		return this.from;
	}

	void failed(Throwable failure) {
		this.lastFailure = failure;
		this.lastSuspectedIdleEnd = false;
	}

	/**
	 * The attempt failed with a lost connection, without committing, after it ran long
	 * enough that the idle-transaction guard may have ended it.
	 */
	void failedSuspectedIdleEnd(Throwable failure) {
		this.lastFailure = failure;
		this.lastSuspectedIdleEnd = true;
	}

	/** Whether the previous attempt {@linkplain #failedSuspectedIdleEnd failed so}. */
	boolean lastSuspectedIdleEnd() {
		return this.lastSuspectedIdleEnd;
	}

	int count() {
		return this.count;
	}

	@Nullable Throwable lastFailure() {
		return this.lastFailure;
	}

	/** The batch's number and key range, for messages. */
	String description() {
		long number = this.from.checkpoint().batches() + 1;
		if (this.firstKey != null) {
			return number + " (keys " + this.firstKey + " to " + this.lastKey + ")";
		}
		// The key as read back (a composite key as a row value), else as saved.
		Object after = (this.from.lastKey() != null) ? this.from.lastKey() : this.from.checkpoint().lastKey();
		return number + ((after != null) ? " (keys after " + after + ")" : " (from the first key)");
	}

}
