package dev.backfill.internal.runner;

import org.springframework.dao.DataAccessException;

/** What a failure says, for messages: its root cause, past the wrappers of the runner and Spring. */
final class FailureText {

	private FailureText() {
	}

	/**
	 * A failure as a message names it: the root cause's type and message, or, for the
	 * runner's own explanations, just their message.
	 * @param failure the failure
	 * @return the text
	 */
	static String describe(Throwable failure) {
		Throwable root = rootOf(failure);
		if (root instanceof InvalidMigrationException || root instanceof BatchOutlastedLeaseException) {
			return root.getMessage();
		}
		String message = (root.getMessage() != null) ? root.getMessage().strip() : "";
		return root.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
	}

	/**
	 * The cause that says what happened, under the runner's and Spring's wrappers.
	 * @param failure the failure
	 * @return its root cause, or the failure itself
	 */
	static Throwable rootOf(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof MigrateException || cause instanceof BatchFailedException
				|| cause instanceof DataAccessException) && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

}
