package dev.backfill.autoconfigure;

import dev.backfill.internal.runner.BatchOutlastedLeaseException;
import dev.backfill.internal.runner.InvalidMigrationException;
import dev.backfill.internal.runner.MigrationFailedException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Explains a migration that failed in blocking mode; a failure with an analyzer of its
 * own (an invalid migration, a batch that outlasted the lease) is left to that one.
 */
class MigrationFailedFailureAnalyzer extends AbstractFailureAnalyzer<MigrationFailedException> {

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, MigrationFailedException cause) {
		if (findCause(rootFailure, InvalidMigrationException.class) != null
				|| findCause(rootFailure, BatchOutlastedLeaseException.class) != null) {
			return null;
		}
		return new FailureAnalysis(cause.getMessage() + "\n\nMigration '" + cause.getMigration()
				+ "' is recorded FAILED in the tracking table, with this error as last_error.",
				"Fix what failed the batch, then start the application again: the migration resumes from its "
						+ "last checkpoint. To let the application start while a migration fails, set "
						+ "backfill.mode=background.",
				cause);
	}

}
