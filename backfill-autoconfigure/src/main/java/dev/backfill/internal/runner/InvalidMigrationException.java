package dev.backfill.internal.runner;

import org.jspecify.annotations.Nullable;

/**
 * A migration's definition is wrong: its base query is not valid SQL, does not select the
 * key column, or yields keys that cannot drive a keyset walk. The message says what is
 * wrong and names the migration; the action, if given, says how to fix it.
 *
 * @since 0.1.0
 */
public final class InvalidMigrationException extends RuntimeException {

	private final @Nullable String action;

	/**
	 * Creates an exception with no action of its own (a generic one is shown).
	 * @param message what is wrong, naming the migration
	 * @param cause the cause, if any
	 */
	InvalidMigrationException(String message, @Nullable Throwable cause) {
		this(message, null, cause);
	}

	/**
	 * Creates an exception.
	 * @param message what is wrong, naming the migration
	 * @param action what to do about it
	 * @param cause the cause, if any
	 */
	InvalidMigrationException(String message, @Nullable String action, @Nullable Throwable cause) {
		super(message, cause);
		this.action = action;
	}

	/**
	 * What to do about it, if this failure knows better than the generic advice.
	 * @return the action, or {@code null}
	 */
	public @Nullable String getAction() {
		return this.action;
	}

}
