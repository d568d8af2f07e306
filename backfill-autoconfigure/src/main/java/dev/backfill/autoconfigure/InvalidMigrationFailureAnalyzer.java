package dev.backfill.autoconfigure;

import dev.backfill.internal.runner.InvalidMigrationException;
import dev.backfill.internal.runner.MigrationFailedException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a migration whose base query or key cannot drive a keyset walk. */
class InvalidMigrationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidMigrationException> {

	private static final String ACTION = "Fix the migration's baseQuery() or its key column: the base query must "
			+ "be valid SQL selecting the key column (DataMigrationConfig keyColumn, id by default), whose values "
			+ "are unique, not null, and integers, decimals, UUIDs or text.";

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidMigrationException cause) {
		// The migration's failure names the batch, when a batch found the problem.
		MigrationFailedException failed = findCause(rootFailure, MigrationFailedException.class);
		String description = (failed != null) ? failed.getMessage() : cause.getMessage();
		String action = (cause.getAction() != null) ? cause.getAction() : ACTION;
		return new FailureAnalysis(description, action, cause);
	}

}
