package dev.backfill.internal.runner;

/** Carries a checked exception thrown by {@code migrate} out of the batch's transaction. */
final class MigrateException extends RuntimeException {

	MigrateException(Exception cause) {
		super(cause.getMessage(), cause);
	}

}
