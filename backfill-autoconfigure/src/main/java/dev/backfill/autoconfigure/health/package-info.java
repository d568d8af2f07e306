/**
 * Auto-configuration of backfill's health indicator.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.backfill.autoconfigure.health;

import org.jspecify.annotations.NullMarked;
