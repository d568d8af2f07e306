package dev.backfill.internal.runner;

/** A migration's definition is wrong (bad SQL, missing key column, unsupported key type). */
final class InvalidMigrationException extends RuntimeException {

	InvalidMigrationException(String message, Throwable cause) {
		super(message, cause);
	}

}
