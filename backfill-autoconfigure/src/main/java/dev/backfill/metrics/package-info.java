/**
 * Micrometer meters of backfill.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.backfill.metrics;

import org.jspecify.annotations.NullMarked;
