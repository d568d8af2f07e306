package dev.backfill;

import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

/**
 * Operating backfills: every migration of every DataSource with where it stands, and the
 * actions an operator takes on one. The Actuator endpoint {@code backfills} and the web
 * console are thin layers over this bean; an application's own controller or scheduler
 * may call it too.
 * <p>
 * Every action is a change to the migration's row in its tracking table, so it takes
 * effect on every instance: a running worker sees it between batches, and instances
 * watching for runnable migrations pick up a resumed, retried or rerun one.
 *
 * @since 0.1.0
 */
public interface BackfillOperations {

	/**
	 * Every migration this application declares, in the order they run, with its state as
	 * recorded in its tracking table.
	 * @return the migrations
	 */
	List<MigrationInfo> migrations();

	/**
	 * One migration's state.
	 * @param name the migration's name
	 * @return its state, or empty if the application declares no such migration
	 */
	Optional<MigrationInfo> migration(String name);

	/**
	 * Pauses a migration: no instance starts it until it is resumed, and a running one stops
	 * at its next batch, keeping its checkpoint.
	 * @param name the migration's name
	 * @param pausedBy who asks, recorded in the tracking table (the authenticated principal
	 * of a request), or {@code null} when unknown
	 * @return its state afterwards
	 * @throws UnknownMigrationException if there is no such migration
	 * @throws MigrationStateException if it is {@code COMPLETED} or {@code FAILED}
	 */
	MigrationInfo pause(String name, @Nullable String pausedBy);

	/**
	 * Resumes a paused migration from its checkpoint.
	 * @param name the migration's name
	 * @return its state afterwards
	 * @throws UnknownMigrationException if there is no such migration
	 * @throws MigrationStateException if it is not {@code PAUSED}
	 */
	MigrationInfo resume(String name);

	/**
	 * Runs a failed migration again from its checkpoint.
	 * @param name the migration's name
	 * @return its state afterwards
	 * @throws UnknownMigrationException if there is no such migration
	 * @throws MigrationStateException if it is not {@code FAILED}
	 */
	MigrationInfo retry(String name);

	/**
	 * Runs a completed migration again from the start.
	 * @param name the migration's name
	 * @return its state afterwards
	 * @throws UnknownMigrationException if there is no such migration
	 * @throws MigrationStateException if it is not {@code COMPLETED}
	 */
	MigrationInfo rerun(String name);

}
