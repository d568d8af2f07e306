package dev.backfill.internal.runner;

import java.util.List;
import java.util.function.Supplier;

import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.internal.store.ChunkRange;
import dev.backfill.internal.store.ChunkState;
import dev.backfill.internal.store.ChunkStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;

/**
 * The end of a pass of a migration run in chunks, once every chunk has completed (the
 * {@link VerifyPass verify pass}): in one transaction under the migration's batch limits,
 * count the rows the base query still returns, then either mark the migration
 * {@code COMPLETED} with that count or, with a sweep and passes left, split its keys
 * afresh from the first one into the next pass's chunks, which the workers of every
 * instance then claim. Either write is fenced on the row being {@code RUNNING} by the chunk
 * workers on the pass counted and on every chunk being completed, so of instances that
 * find the chunks completed at once, each may count but one ends the pass. A transient
 * failure (a lock or statement timeout, a lost connection) is retried as a batch is; a
 * retry finds the pass ended if another instance ended it meanwhile.
 */
final class ChunkedEndOfPass {

	private static final Logger logger = LoggerFactory.getLogger(ChunkedEndOfPass.class);

	private final MigrationTarget target;

	private final VerifyPass verify;

	private final RunnerSettings settings;

	private final Supplier<List<ChunkRange>> split;

	private final RetryTemplate retry;

	/** The last attempt's failure, for the retry's log line. */
	private volatile @Nullable Throwable lastFailure;

	/**
	 * Creates the end of the passes of a migration.
	 * @param target the migration
	 * @param query its batch query, whose count is the verify pass's
	 * @param settings the runner's settings: the lease duration (the idle-transaction guard
	 * of the limits) and the retries
	 * @param split splits the keys from the first one, joining the caller's transaction
	 */
	ChunkedEndOfPass(MigrationTarget target, BatchQuery query, RunnerSettings settings,
			Supplier<List<ChunkRange>> split) {
		this.target = target;
		this.verify = new VerifyPass(target, query);
		this.settings = settings;
		this.split = split;
		this.retry = new RetryTemplate(
				BatchRetries.policy(settings, new TransientFailures(target.database().store().dialect())));
		this.retry.setRetryListener(new RetryListener() {
			@Override
			public void beforeRetry(RetryPolicy policy, Retryable<?> retryable) {
				Throwable failure = ChunkedEndOfPass.this.lastFailure;
				logger.warn("Backfill migration '{}': the end of its pass failed transiently; retrying: {}",
						target.name(), (failure != null) ? FailureText.describe(failure) : "");
			}
		});
	}

	/**
	 * Ends the pass if every chunk has completed; nothing is counted before then. With
	 * {@code verify=false}, this is the conditioned {@code UPDATE} that completes the
	 * migration, alone.
	 * @param pass the pass the chunks are of, as last read (a stale one only loses the race)
	 * @return whether this call ended it: the migration completed, or its next pass's
	 * chunks wait to be claimed
	 * @throws RuntimeException the last failure, if it was not transient or the attempts
	 * ran out
	 */
	boolean finish(int pass) {
		try {
			return this.retry.execute(() -> {
				try {
					return attempt(pass);
				}
				catch (RuntimeException ex) {
					this.lastFailure = ex;
					throw ex;
				}
			});
		}
		catch (RetryException ex) {
			if (ex.getCause() instanceof RuntimeException failure) {
				throw failure;
			}
			throw new IllegalStateException(ex.getCause());
		}
	}

	private boolean attempt(int pass) {
		String name = this.target.name();
		ChunkStore chunks = this.target.database().chunks();
		if (!this.verify.counts()) {
			return chunks.completeMigration(name, pass, null);
		}
		List<ChunkState> all = chunks.findAll(name);
		if (all.isEmpty() || !all.stream().allMatch(ChunkState::isCompleted)) {
			return false;
		}
		Ended ended = BatchTransaction.inTransaction(this.target.database(),
				this.target.settings().limits(this.settings.leaseDuration()), false, () -> {
					Long remaining = this.verify.remainingRows();
					if (this.verify.passAgain(pass, remaining)) {
						List<ChunkRange> ranges = this.split.get();
						return chunks.startPass(name, pass, remaining, ranges) ? new Ended(remaining, ranges.size())
								: null;
					}
					return chunks.completeMigration(name, pass, remaining) ? new Ended(remaining, 0) : null;
				});
		if (ended == null) {
			return false;
		}
		if (ended.nextPassChunks() > 0) {
			this.verify.nextPassStarted(pass, ended.remaining());
			logger.info("Backfill migration '{}' split into {} chunks of its keys for pass {}", name,
					ended.nextPassChunks(), pass + 1);
		}
		else {
			this.verify.completed(pass, ended.remaining());
		}
		return true;
	}

	/** How the pass ended: the rows it left, and the next pass's chunks (0: completed). */
	private record Ended(@Nullable Long remaining, int nextPassChunks) {
	}

}
