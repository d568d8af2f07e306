package dev.backfill.internal.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import dev.backfill.MigrationListener;
import dev.backfill.internal.progress.MigrationFigures;
import dev.backfill.internal.progress.ProgressLine;
import dev.backfill.internal.store.MigrationState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;

/**
 * The progress line of a migration run in chunks, logged by each instance running its
 * workers every {@code backfill.progress-log-interval}, after the batch of any of them
 * that ends the interval. Its figures are the whole migration's, read from the tracking
 * and chunk rows as the endpoint reads them: the rows of every chunk and the rates of the
 * workers of every instance. A line that cannot be read is left out; it is not worth a
 * batch.
 */
final class ChunkProgressLine implements MigrationListener {

	private static final Logger logger = LoggerFactory.getLogger(ChunkProgressLine.class);

	private final MigrationTarget target;

	private final long intervalNanos;

	private final AtomicLong loggedNanos;

	ChunkProgressLine(MigrationTarget target, Duration interval) {
		this.target = target;
		this.intervalNanos = interval.toNanos();
		this.loggedNanos = new AtomicLong(System.nanoTime());
	}

	@Override
	public void batchSucceeded(String migration, int rows, Duration duration) {
		long now = System.nanoTime();
		long logged = this.loggedNanos.get();
		// Of this instance's workers, the one whose batch ends the interval logs.
		if (now - logged < this.intervalNanos || !this.loggedNanos.compareAndSet(logged, now)) {
			return;
		}
		try {
			Optional<MigrationState> state = this.target.database().store().find(this.target.name());
			if (state.isPresent()) {
				MigrationFigures figures = MigrationFigures.of(state.get(), this.target.database().chunks(),
						this.target.settings().parallelism(), Instant.now());
				logger.info(ProgressLine.of(this.target.name(), figures.progress()));
			}
		}
		catch (DataAccessException ex) {
			logger.debug("Backfill migration '{}': could not read its progress: {}", this.target.name(),
					FailureText.describe(ex));
		}
	}

}
