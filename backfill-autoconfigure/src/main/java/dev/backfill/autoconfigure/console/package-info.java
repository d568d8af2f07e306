/**
 * Backfill's web console: one page with every migration's progress, and the actions of
 * {@link dev.backfill.BackfillOperations}, in a Spring MVC application.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.backfill.autoconfigure.console;

import org.jspecify.annotations.NullMarked;
