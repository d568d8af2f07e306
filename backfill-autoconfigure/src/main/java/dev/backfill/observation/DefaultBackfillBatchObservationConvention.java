package dev.backfill.observation;

import java.util.Locale;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;

/**
 * The default convention of the observations of backfill batches: name
 * {@code backfill.batch}, low-cardinality keys {@code migration} (the migration's name) and
 * {@code outcome} ({@code success} or {@code failure}; {@code unknown} while the attempt
 * runs, as the long task timer of running batches shows it), and high-cardinality key
 * {@code batch} (the batch's number, on spans only). With Spring Boot's default meter
 * observation handler, the timer {@code backfill.batch} comes from this observation.
 *
 * @since 0.1.0
 */
public class DefaultBackfillBatchObservationConvention implements BackfillBatchObservationConvention {

	/** The observation's name. */
	public static final String NAME = "backfill.batch";

	/** The shared instance. */
	public static final DefaultBackfillBatchObservationConvention INSTANCE = new DefaultBackfillBatchObservationConvention();

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(BackfillBatchContext context) {
		return "backfill batch " + context.getMigration();
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(BackfillBatchContext context) {
		return KeyValues.of(KeyValue.of("migration", context.getMigration()),
				KeyValue.of("outcome", context.getOutcome().name().toLowerCase(Locale.ROOT)));
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(BackfillBatchContext context) {
		return KeyValues.of(KeyValue.of("batch", Long.toString(context.getBatch())));
	}

}
