package dev.backfill;

/**
 * Thrown by {@link BackfillOperations} for an action the migration's status does not allow,
 * such as resuming one that is not paused.
 *
 * @since 0.1.0
 */
public class MigrationStateException extends DataMigrationException {

	private final MigrationStatus status;

	/**
	 * Creates the exception.
	 * @param migration the migration
	 * @param action the action refused, such as {@code resume}
	 * @param status the migration's status
	 * @param allowed what the action needs, such as {@code PAUSED}
	 */
	public MigrationStateException(String migration, String action, MigrationStatus status, String allowed) {
		super(migration, "Cannot " + action + " migration '" + migration + "': it is " + status + ", and "
				+ action + " needs " + allowed, null);
		this.status = status;
	}

	/**
	 * The migration's status when the action was refused.
	 * @return the status
	 */
	public MigrationStatus getStatus() {
		return this.status;
	}

}
