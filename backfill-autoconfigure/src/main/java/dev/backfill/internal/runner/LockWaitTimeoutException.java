package dev.backfill.internal.runner;

import java.time.Duration;
import java.time.Instant;

import dev.backfill.DataMigrationException;
import dev.backfill.internal.store.MigrationState;
import org.jspecify.annotations.Nullable;

/**
 * In blocking mode, another instance ran a migration for longer than
 * {@code backfill.lock-wait-timeout}, so this one could not start.
 *
 * @since 0.1.0
 */
public final class LockWaitTimeoutException extends DataMigrationException {

	private final Duration timeout;

	private final @Nullable String owner;

	private final @Nullable Instant leaseExpiresAt;

	LockWaitTimeoutException(MigrationState state, Duration timeout) {
		super(state.name(), "Timed out after backfill.lock-wait-timeout (" + DurationText.of(timeout)
				+ ") waiting for migration '" + state.name() + "', which instance " + state.leaseOwner()
				+ " is running (status " + state.status() + ", lease until " + state.leaseExpiresAt() + ")", null);
		this.timeout = timeout;
		this.owner = state.leaseOwner();
		this.leaseExpiresAt = state.leaseExpiresAt();
	}

	/**
	 * How long this instance waited ({@code backfill.lock-wait-timeout}).
	 * @return the timeout
	 */
	public Duration getTimeout() {
		return this.timeout;
	}

	/**
	 * The instance running the migration, as in {@code lease_owner}.
	 * @return the owner, or {@code null} if the row had none when last read
	 */
	public @Nullable String getOwner() {
		return this.owner;
	}

	/**
	 * Until when that instance's lease holds unless it renews it.
	 * @return the lease's end, or {@code null}
	 */
	public @Nullable Instant getLeaseExpiresAt() {
		return this.leaseExpiresAt;
	}

}
