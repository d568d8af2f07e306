package dev.backfill.internal.runner;

/** A batch failed for good; the message names the migration, the batch and its keys. */
final class BatchFailedException extends RuntimeException {

	BatchFailedException(String message, Throwable cause) {
		super(message, cause);
	}

}
