package dev.backfill.internal.runner;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * What running one migration on this instance came to.
 *
 * @param name the migration's name
 * @param outcome how it ended here
 * @param rows rows migrated by this instance in this run
 * @param batches batches committed by this instance in this run
 * @param duration how long this instance spent on it
 * @param error what failed it, for {@link Outcome#FAILED}
 * @param failure the exception that failed it, for {@link Outcome#FAILED}
 *
 * @since 0.1.0
 */
public record MigrationResult(String name, Outcome outcome, long rows, long batches, Duration duration,
		@Nullable String error, @Nullable Throwable failure) {

	static MigrationResult of(String name, Outcome outcome) {
		return new MigrationResult(name, outcome, 0, 0, Duration.ZERO, null, null);
	}

	/** How a migration's run ended on this instance. */
	public enum Outcome {

		/** This instance migrated the last batch. */
		COMPLETED,

		/** It had completed before (here or on another instance); nothing ran. */
		ALREADY_COMPLETED,

		/** Disabled by {@code backfill.migrations.<name>.enabled=false}. */
		DISABLED,

		/** Another instance holds its lease (or took it over); this one moved on. */
		RUNNING_ELSEWHERE,

		/** Stopped between batches on shutdown; resumable. */
		STOPPED,

		/**
		 * Paused through the operations API: not started here, or stopped with the batch in
		 * flight refused and rolled back; it runs again once resumed.
		 */
		PAUSED,

		/** A batch failed; recorded as {@code FAILED} with the error (not recorded in a dry run). */
		FAILED,

		/** A dry run reached the end; every batch was rolled back and nothing was saved. */
		DRY_RUN

	}

}
