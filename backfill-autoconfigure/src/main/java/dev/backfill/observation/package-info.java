/**
 * Micrometer Observation of backfill: an observation {@code backfill.batch} per attempt at
 * a batch, with a replaceable {@link dev.backfill.observation.BackfillBatchObservationConvention}.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.backfill.observation;

import org.jspecify.annotations.NullMarked;
