package dev.backfill.autoconfigure.console;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * What {@code GET <path>/api/migrations} answers: the migrations, whether the console's
 * actions are open, and the CSRF token its actions must carry.
 *
 * @param writesOpen whether the actions are open
 * @param writesClosedReason when closed, what opens them
 * @param refreshMillis how often the page asks again
 * @param csrf the token for a POST, where Spring Security guards the application
 * @param migrations every migration, in the order they run
 */
record ConsoleView(boolean writesOpen, @Nullable String writesClosedReason, long refreshMillis,
		@Nullable ConsoleCsrf csrf, List<ConsoleMigration> migrations) {

}
