package dev.backfill.internal.runner;

import dev.backfill.DataMigrationException;
import org.jspecify.annotations.Nullable;

/**
 * A migration failed in blocking mode: it is recorded {@code FAILED}, with this message
 * as {@code last_error}, and resumes from its checkpoint on the next start.
 *
 * @since 0.1.0
 */
public final class MigrationFailedException extends DataMigrationException {

	MigrationFailedException(String migration, @Nullable String message, @Nullable Throwable cause) {
		super(migration, message, cause);
	}

}
