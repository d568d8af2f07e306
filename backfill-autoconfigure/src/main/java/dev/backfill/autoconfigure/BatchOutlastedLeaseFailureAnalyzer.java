package dev.backfill.autoconfigure;

import dev.backfill.internal.runner.BatchOutlastedLeaseException;
import dev.backfill.internal.runner.MigrationFailedException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a migration that failed because a batch's transaction sat idle longer than the
 * lease, so that the database ended it.
 */
class BatchOutlastedLeaseFailureAnalyzer extends AbstractFailureAnalyzer<BatchOutlastedLeaseException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, BatchOutlastedLeaseException cause) {
		MigrationFailedException failed = findCause(rootFailure, MigrationFailedException.class);
		String description = (failed != null) ? failed.getMessage() : cause.getMessage();
		return new FailureAnalysis(description,
				"A batch's transaction may not sit idle longer than the lease (backfill.lease-duration), since "
						+ "the database ends it then: make migrate faster or the batch smaller "
						+ "(backfill.migrations." + cause.getMigration() + ".batch-size), or raise "
						+ "backfill.lease-duration.",
				cause);
	}

}
