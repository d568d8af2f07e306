package dev.backfill.observation;

import io.micrometer.observation.Observation;

/**
 * What an observation of one attempt at a batch knows: the migration, the batch's number
 * and, once the attempt is over, its outcome.
 *
 * @since 0.1.0
 */
public class BackfillBatchContext extends Observation.Context {

	private final String migration;

	private final long batch;

	private Outcome outcome = Outcome.UNKNOWN;

	/**
	 * Creates the context of an attempt at a batch.
	 * @param migration the migration's name
	 * @param batch the batch's number, from 1
	 */
	public BackfillBatchContext(String migration, long batch) {
		this.migration = migration;
		this.batch = batch;
	}

	/**
	 * The migration's name.
	 * @return the name
	 */
	public String getMigration() {
		return this.migration;
	}

	/**
	 * The batch's number, from 1.
	 * @return the number
	 */
	public long getBatch() {
		return this.batch;
	}

	/**
	 * How the attempt ended; {@link Outcome#UNKNOWN} while it runs.
	 * @return the outcome
	 */
	public Outcome getOutcome() {
		return this.outcome;
	}

	/**
	 * Sets how the attempt ended.
	 * @param outcome the outcome
	 */
	public void setOutcome(Outcome outcome) {
		this.outcome = outcome;
	}

	/**
	 * How an attempt at a batch ended.
	 *
	 * @since 0.1.0
	 */
	public enum Outcome {

		/** The batch committed. */
		SUCCESS,

		/** The attempt failed; it may be retried. */
		FAILURE,

		/**
		 * The attempt is still running: what the long task timer of running batches
		 * ({@code backfill.batch.active}) is tagged with.
		 */
		UNKNOWN

	}

}
