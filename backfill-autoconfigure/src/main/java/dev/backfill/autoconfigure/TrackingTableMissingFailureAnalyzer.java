package dev.backfill.autoconfigure;

import dev.backfill.internal.store.TrackingTableMissingException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a tracking table that cannot be read, typically missing. */
class TrackingTableMissingFailureAnalyzer extends AbstractFailureAnalyzer<TrackingTableMissingException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, TrackingTableMissingException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Create table '" + cause.getTable() + "' with the columns the README lists (for example in "
						+ "your Flyway or Liquibase scripts), set backfill.table-name to the table you created, "
						+ "or let backfill create it: backfill.initialize-schema=always.",
				cause);
	}

}
