package dev.backfill.autoconfigure;

import dev.backfill.internal.store.UnsupportedDatabaseException;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Explains a DataSource whose database backfill does not support. */
class UnsupportedDatabaseFailureAnalyzer extends AbstractFailureAnalyzer<UnsupportedDatabaseException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, UnsupportedDatabaseException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Run the data migrations on a PostgreSQL, MariaDB/MySQL or H2 DataSource, or turn backfill off: "
						+ "backfill.enabled=false.",
				cause);
	}

}
