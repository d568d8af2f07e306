package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

import dev.backfill.MigrationListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells several listeners, one after another in the given order. A listener that throws
 * is logged and the others are still told: listeners observe batches (metrics, audit) and
 * must never fail or retry one, whose writes may already be committed.
 *
 * @since 0.1.0
 */
public final class CompositeMigrationListener implements MigrationListener {

	private static final Logger logger = LoggerFactory.getLogger(CompositeMigrationListener.class);

	private final List<MigrationListener> listeners;

	/**
	 * Creates a listener telling others.
	 * @param listeners the listeners, in the order they are told
	 */
	public CompositeMigrationListener(List<? extends MigrationListener> listeners) {
		this.listeners = List.copyOf(listeners);
	}

	/**
	 * The listeners, in the order they are told.
	 * @return the listeners
	 */
	public List<MigrationListener> listeners() {
		return this.listeners;
	}

	@Override
	public void migrationReached(String migration) {
		tell(migration, "migrationReached", (listener) -> listener.migrationReached(migration));
	}

	@Override
	public void batchSizeChosen(String migration, int size) {
		tell(migration, "batchSizeChosen", (listener) -> listener.batchSizeChosen(migration, size));
	}

	@Override
	public void workersChanged(String migration, int workers) {
		tell(migration, "workersChanged", (listener) -> listener.workersChanged(migration, workers));
	}

	@Override
	public void batchSucceeded(String migration, int rows, Duration duration) {
		tell(migration, "batchSucceeded", (listener) -> listener.batchSucceeded(migration, rows, duration));
	}

	@Override
	public void batchFailed(String migration, Duration duration) {
		tell(migration, "batchFailed", (listener) -> listener.batchFailed(migration, duration));
	}

	@Override
	public void batchRetried(String migration, Throwable cause) {
		tell(migration, "batchRetried", (listener) -> listener.batchRetried(migration, cause));
	}

	@Override
	public void batchThrottled(String migration, String reason, Duration waited) {
		tell(migration, "batchThrottled", (listener) -> listener.batchThrottled(migration, reason, waited));
	}

	private void tell(String migration, String event, Consumer<MigrationListener> call) {
		for (MigrationListener listener : this.listeners) {
			try {
				call.accept(listener);
			}
			catch (RuntimeException ex) {
				logger.warn("Migration listener {} failed on {} of migration '{}'; the batch goes on", listener, event,
						migration, ex);
			}
		}
	}

}
