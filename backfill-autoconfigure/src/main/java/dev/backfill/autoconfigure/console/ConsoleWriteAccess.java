package dev.backfill.autoconfigure.console;

/**
 * Whether the console's write actions (pause, resume, retry, rerun) are open. They follow
 * the access of the Actuator endpoint {@code backfills}: closed unless that access is
 * {@code unrestricted}.
 */
@FunctionalInterface
interface ConsoleWriteAccess {

	/** The property that opens the endpoint's write operations, and the console's. */
	String PROPERTY = "management.endpoint.backfills.access";

	/** What a refused write answers. */
	String CLOSED_MESSAGE = "The backfill console's actions are closed: they follow the backfills endpoint's "
			+ "access, read-only by default. Set " + PROPERTY + "=unrestricted to open them "
			+ "(management.endpoints.access.max-permitted, if set, must allow it).";

	/**
	 * Whether writes are open now.
	 * @return {@code true} if they are
	 */
	boolean isOpen();

}
