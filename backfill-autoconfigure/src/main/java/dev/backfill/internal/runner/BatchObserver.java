package dev.backfill.internal.runner;

import java.util.function.Supplier;

/**
 * Wraps each attempt at a batch, for tracing: the Boot layer fills it with a Micrometer
 * {@code Observation} per batch, so that the runner needs no observation API. An attempt
 * that throws is a failure, one that returns a success.
 *
 * @since 0.1.0
 */
public interface BatchObserver {

	/** Observes nothing: runs the batch as it is. */
	BatchObserver NONE = new BatchObserver() {
		@Override
		public <T> T observe(String migration, long batch, Supplier<T> attempt) {
			return attempt.get();
		}
	};

	/**
	 * Runs one attempt at a batch under observation.
	 * @param <T> what the attempt returns
	 * @param migration the migration's name
	 * @param batch the batch's number, from 1
	 * @param attempt the attempt
	 * @return what the attempt returned
	 */
	<T> T observe(String migration, long batch, Supplier<T> attempt);

}
