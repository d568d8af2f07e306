package dev.backfill.internal.progress;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The rate a checkpoint saves: with its batch (the batch's rows over its time, known when
 * the checkpoint is written after the batch's work) or, for a checkpoint written inside
 * the batch's one statement, the window as it stands.
 */
class RunProgressTests {

	private final AtomicLong clock = new AtomicLong();

	private final RunProgress progress = new RunProgress("items", null, this.clock::get);

	@Test
	void checkpointAfterTheBatchsWorkSavesTheRateWithThatBatch() {
		tenBatchesOf100RowsIn100Millis();
		this.clock.addAndGet(Duration.ofMillis(50).toNanos());
		// The window loses its oldest batch and gains this one: 1000 rows in 0.95 s.
		assertThat(this.progress.figures(100).rowsPerSecond()).isCloseTo(1000 / 0.95, within(0.01));
	}

	@Test
	void checkpointInsideTheBatchsStatementSavesTheWindowWithoutThatBatch() {
		assertThat(this.progress.figuresBeforeBatch().rowsPerSecond()).as("before the first batch").isNull();
		tenBatchesOf100RowsIn100Millis();
		// The statement starts: its rows count only once its time does.
		this.clock.addAndGet(Duration.ofMillis(1).toNanos());
		assertThat(this.progress.figuresBeforeBatch().rowsPerSecond()).isCloseTo(1000.0, within(0.01));
	}

	@Test
	void throttleWaitIsLeftOutOfTheRateAndSavedAsTimeThrottled() {
		tenBatchesOf100RowsIn100Millis();
		this.progress.batchThrottled("items", "busy", Duration.ofSeconds(2));
		this.clock.addAndGet(Duration.ofMillis(2100).toNanos());
		this.progress.batchSucceeded("items", 100, Duration.ofMillis(100));
		assertThat(this.progress.figuresBeforeBatch().rowsPerSecond()).isCloseTo(1000.0, within(0.01));
		assertThat(this.progress.figuresBeforeBatch().throttledMillis()).isEqualTo(2000);
	}

	private void tenBatchesOf100RowsIn100Millis() {
		for (int i = 0; i < 10; i++) {
			this.clock.addAndGet(Duration.ofMillis(100).toNanos());
			this.progress.batchSucceeded("items", 100, Duration.ofMillis(100));
		}
	}

}
