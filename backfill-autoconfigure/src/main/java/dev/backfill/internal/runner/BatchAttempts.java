package dev.backfill.internal.runner;

import java.util.function.UnaryOperator;

/** The attempts at one batch: where it starts, which keys it read, how it last failed. */
final class BatchAttempts {

	private Position from;

	private int count;

	private Throwable lastFailure;

	private Object firstKey;

	private Object lastKey;

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

	void keys(Object first, Object last) {
		this.firstKey = first;
		this.lastKey = last;
	}

	void failed(Throwable failure) {
		this.lastFailure = failure;
	}

	int count() {
		return this.count;
	}

	Throwable lastFailure() {
		return this.lastFailure;
	}

	/** The batch's number and key range, for messages. */
	String description() {
		long number = this.from.checkpoint().batches() + 1;
		if (this.firstKey != null) {
			return number + " (keys " + this.firstKey + " to " + this.lastKey + ")";
		}
		String after = this.from.checkpoint().lastKey();
		return number + ((after != null) ? " (keys after " + after + ")" : " (from the first key)");
	}

}
