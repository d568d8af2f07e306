/**
 * Internal, not API: everything under this package may change in any release without
 * notice. Applications code against {@code dev.backfill}, {@code dev.backfill.autoconfigure}
 * and {@code dev.backfill.metrics} only.
 */
@NullMarked
package dev.backfill.internal;

import org.jspecify.annotations.NullMarked;
