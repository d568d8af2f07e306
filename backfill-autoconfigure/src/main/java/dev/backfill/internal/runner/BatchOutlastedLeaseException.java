package dev.backfill.internal.runner;

import java.sql.SQLException;
import java.time.Duration;

/**
 * The database ended a batch's transaction because it sat idle longer than the lease
 * (the idle-transaction guard equals {@code backfill.lease-duration}), typically because
 * {@code migrate} took that long between two statements. Concluded from the database's
 * own report, or from two attempts in a row that lost their connection after running at
 * least that long, without committing. Not transient: a retry of the same batch would sit
 * idle as long again.
 *
 * @since 0.1.0
 */
public final class BatchOutlastedLeaseException extends RuntimeException {

	private final String migration;

	private final Duration leaseDuration;

	BatchOutlastedLeaseException(String migration, Duration leaseDuration, Duration attemptTime, String database,
			SQLException report, boolean reported, Throwable cause) {
		super("the database ended the batch's transaction after it sat idle longer than backfill.lease-duration ("
				+ DurationText.of(leaseDuration) + ") (the batch ran " + DurationText.of(attemptTime)
				+ (reported ? "" : " and lost its connection, as the attempt before it did") + "; " + database + ": "
				+ reportOf(report) + ")", cause);
		this.migration = migration;
		this.leaseDuration = leaseDuration;
	}

	private static String reportOf(SQLException report) {
		String message = (report.getMessage() != null) ? report.getMessage().strip() : report.getClass().getName();
		return (report.getSQLState() != null) ? message + ", SQLSTATE " + report.getSQLState() : message;
	}

	/**
	 * The migration whose batch it was.
	 * @return the migration's name
	 */
	public String getMigration() {
		return this.migration;
	}

	/**
	 * The lease duration, which is also how long a batch's transaction may sit idle.
	 * @return {@code backfill.lease-duration}
	 */
	public Duration getLeaseDuration() {
		return this.leaseDuration;
	}

}
