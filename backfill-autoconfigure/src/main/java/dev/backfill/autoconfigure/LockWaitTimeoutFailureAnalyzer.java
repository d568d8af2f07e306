package dev.backfill.autoconfigure;

import dev.backfill.internal.runner.LockWaitTimeoutException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a blocking start that gave up waiting for a migration another instance runs. */
class LockWaitTimeoutFailureAnalyzer extends AbstractFailureAnalyzer<LockWaitTimeoutException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, LockWaitTimeoutException cause) {
		String owner = (cause.getOwner() != null) ? "instance " + cause.getOwner() : "the instance running it";
		String expiry = (cause.getLeaseExpiresAt() != null) ? "its lease expires at " + cause.getLeaseExpiresAt()
				: "its lease expires";
		return new FailureAnalysis(cause.getMessage(),
				"Start again once " + owner + " has completed migration '" + cause.getMigration()
						+ "', raise backfill.lock-wait-timeout, or set backfill.mode=background to start without "
						+ "waiting for it. If that instance is gone, " + expiry + " and the next start takes over.",
				cause);
	}

}
