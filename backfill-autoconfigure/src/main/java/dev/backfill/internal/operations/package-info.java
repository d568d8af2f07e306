/**
 * The operations API over the tracking tables: every migration's state, and the state
 * changes an operator makes. Internal.
 */
@NullMarked
package dev.backfill.internal.operations;

import org.jspecify.annotations.NullMarked;
