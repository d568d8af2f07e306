/**
 * The Actuator endpoint {@code backfills}: every migration's state, and the actions of
 * {@link dev.backfill.BackfillOperations} over HTTP.
 */
@NullMarked
package dev.backfill.actuate;

import org.jspecify.annotations.NullMarked;
