package dev.backfill.observation;

import java.util.function.Supplier;

import dev.backfill.internal.runner.BatchObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Observes each attempt at a batch as an {@link Observation} {@code backfill.batch},
 * current while the batch runs, so that spans of the batch's own statements are its
 * children.
 *
 * @since 0.1.0
 */
public final class ObservationBatchObserver implements BatchObserver {

	private final ObservationRegistry registry;

	private final @Nullable BackfillBatchObservationConvention convention;

	/**
	 * Creates an observer.
	 * @param registry the registry
	 * @param convention the application's convention, or {@code null} for
	 * {@link DefaultBackfillBatchObservationConvention}
	 */
	public ObservationBatchObserver(ObservationRegistry registry,
			@Nullable BackfillBatchObservationConvention convention) {
		this.registry = registry;
		this.convention = convention;
	}

	@Override
	public <T> T observe(String migration, long batch, Supplier<T> attempt) {
		BackfillBatchContext context = new BackfillBatchContext(migration, batch);
		return Observation
			.createNotStarted(this.convention, DefaultBackfillBatchObservationConvention.INSTANCE, () -> context,
					this.registry)
			.observe(() -> {
				try {
					T result = attempt.get();
					context.setOutcome(BackfillBatchContext.Outcome.SUCCESS);
					return result;
				}
				catch (RuntimeException ex) {
					context.setOutcome(BackfillBatchContext.Outcome.FAILURE);
					throw ex;
				}
			});
	}

}
