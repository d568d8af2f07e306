package dev.backfill.internal.runner;

/**
 * This instance no longer holds a migration's lease (it expired and another instance took
 * over): the batch in hand is rolled back and this instance stops running the migration.
 */
final class LeaseLostException extends RuntimeException {

	LeaseLostException(String migration, String owner) {
		super("Migration '" + migration + "' is no longer leased to " + owner
				+ " (the lease expired and another instance took over); the current batch was rolled back");
	}

}
