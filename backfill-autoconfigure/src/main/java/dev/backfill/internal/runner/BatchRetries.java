package dev.backfill.internal.runner;

import java.util.function.Function;

import dev.backfill.MigrationListener;
import dev.backfill.internal.settings.RunnerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;

/**
 * Retries a batch that fails transiently, with exponential backoff and jitter, using
 * Spring's {@link RetryTemplate}; counts and logs every retry with its reason. One per
 * migration run, since it sits on the per-batch path.
 */
final class BatchRetries {

	private static final Logger logger = LoggerFactory.getLogger(BatchRetries.class);

	private final String migration;

	private final RetryTemplate retry;

	BatchRetries(String migration, RunnerSettings settings, TransientFailures transientFailures,
			MigrationListener listener) {
		this.migration = migration;
		this.retry = new RetryTemplate(policy(settings, transientFailures));
		this.retry.setRetryListener(new RetryListener() {
			@Override
			public void beforeRetry(RetryPolicy policy, Retryable<?> retryable) {
				BatchAttempts attempts = ((BatchRetryable) retryable).attempts;
				Throwable cause = attempts.lastFailure();
				// The failed attempt may have committed (a lost acknowledgement): the retry starts
				// from the checkpoint in the database, which may be past this batch.
				logger.warn("Backfill migration '{}': attempt {} of {} at batch {} failed transiently; retrying from "
						+ "the checkpoint in the database: {}", migration, attempts.count(), settings.retryMaxAttempts(),
						attempts.description(), FailureText.describe(cause));
				listener.batchRetried(migration, cause);
			}
		});
	}

	/**
	 * How transient failures are retried: {@code retryMaxAttempts} attempts in all, with
	 * exponential backoff and jitter.
	 * @param settings the runner's settings
	 * @param transientFailures what is worth retrying
	 * @return the policy
	 */
	static RetryPolicy policy(RunnerSettings settings, TransientFailures transientFailures) {
		return RetryPolicy.builder()
			.maxRetries(settings.retryMaxAttempts() - 1L)
			.delay(settings.retryInitialBackoff())
			.multiplier(2)
			.maxDelay(settings.retryMaxBackoff())
			.jitter(settings.retryInitialBackoff().dividedBy(2))
			.predicate(transientFailures::isTransient)
			.build();
	}

	/**
	 * Runs the attempts at one batch until one succeeds, a failure is not transient, or the
	 * attempts run out.
	 * @param attempts the batch's attempts
	 * @param attempt one attempt
	 * @return where the batch left the migration
	 * @throws LeaseLostException if the lease passed to another instance
	 * @throws BatchFailedException if the batch failed for good
	 */
	Position run(BatchAttempts attempts, Function<BatchAttempts, Position> attempt) {
		try {
			return this.retry.execute(new BatchRetryable(attempts, attempt));
		}
		catch (RetryException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof LeaseLostException lost) {
				throw lost;
			}
			throw new BatchFailedException("Migration '" + this.migration + "' failed in batch "
					+ attempts.description() + " after " + attempts.count() + " attempt(s): "
					+ FailureText.describe(cause), cause);
		}
	}

	/** An attempt at a batch, as the retry listener sees it. */
	private record BatchRetryable(BatchAttempts attempts,
			Function<BatchAttempts, Position> attempt) implements Retryable<Position> {

		@Override
		public Position execute() {
			return this.attempt.apply(this.attempts);
		}

	}

}
