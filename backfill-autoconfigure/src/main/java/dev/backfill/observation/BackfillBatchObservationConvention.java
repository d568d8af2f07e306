package dev.backfill.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * The convention of the observations of backfill batches. Declare a bean of this type to
 * replace {@link DefaultBackfillBatchObservationConvention} (typically by extending it).
 *
 * @since 0.1.0
 */
public interface BackfillBatchObservationConvention extends ObservationConvention<BackfillBatchContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof BackfillBatchContext;
	}

}
