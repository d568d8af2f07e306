package dev.backfill.internal.store;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Limits applied to one batch's transaction with the database's own mechanism. Any of
 * them may be {@code null} (not applied).
 *
 * @param statementTimeout longest a statement may run
 * @param lockTimeout longest a statement may wait for a lock
 * @param idleTimeout longest the transaction may sit idle before the server ends it; it
 * guards against an owner frozen mid-batch (GC pause, SIGSTOP) holding row locks past its
 * lease
 *
 * @since 0.1.0
 */
public record BatchLimits(@Nullable Duration statementTimeout, @Nullable Duration lockTimeout,
		@Nullable Duration idleTimeout) {

	/** No limits at all. */
	public static final BatchLimits NONE = new BatchLimits(null, null, null);

	/**
	 * Whether no limit is set.
	 * @return {@code true} if there is nothing to apply
	 */
	public boolean isEmpty() {
		return this.statementTimeout == null && this.lockTimeout == null && this.idleTimeout == null;
	}

}
