/**
 * The built-in {@link dev.backfill.BackfillThrottle}s: health indicators that must be UP,
 * and the replication lag the primary reports.
 */
@NullMarked
package dev.backfill.autoconfigure.throttle;

import org.jspecify.annotations.NullMarked;
