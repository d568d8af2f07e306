package dev.backfill.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * Records each committed batch of a run: its duration and, when statements are being
 * counted, how many bookkeeping statements ran since the previous batch ended (the first
 * batch's count includes what the run did before it).
 */
final class BatchRecorder {

	private final StatementLog log;

	private final List<Long> nanos = new ArrayList<>();

	private final List<Long> bookkeeping = new ArrayList<>();

	private long lastBookkeeping;

	private long rows;

	BatchRecorder(StatementLog log) {
		this.log = log;
		this.lastBookkeeping = (log != null) ? log.bookkeeping() : 0;
	}

	/**
	 * Records a committed batch.
	 * @param batchRows rows it migrated
	 * @param durationNanos how long it took
	 */
	synchronized void batchDone(int batchRows, long durationNanos) {
		this.rows += batchRows;
		this.nanos.add(durationNanos);
		if (this.log != null) {
			long now = this.log.bookkeeping();
			this.bookkeeping.add(now - this.lastBookkeeping);
			this.lastBookkeeping = now;
		}
	}

	synchronized List<Long> nanos() {
		return List.copyOf(this.nanos);
	}

	/** Bookkeeping statements per batch, in batch order (empty unless counting). */
	synchronized List<Long> bookkeeping() {
		return List.copyOf(this.bookkeeping);
	}

	synchronized int count() {
		return this.nanos.size();
	}

	synchronized long rows() {
		return this.rows;
	}

}
