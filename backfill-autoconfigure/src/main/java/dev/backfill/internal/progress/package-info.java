/**
 * Progress of a migration: its estimated total, its rate and what follows from both
 * (percent and time left). Internal.
 */
@NullMarked
package dev.backfill.internal.progress;

import org.jspecify.annotations.NullMarked;
