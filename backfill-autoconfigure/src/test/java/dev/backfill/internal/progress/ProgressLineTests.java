package dev.backfill.internal.progress;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress line's text and the moving average it shows. */
class ProgressLineTests {

	@Test
	void lineGivesPercentRowsOfTheEstimateRateAndTimeLeft() {
		assertThat(ProgressLine.of("emailDomain", new Progress(420_000, 1_000_000L, 23_000.0, false)))
			.isEqualTo("Backfill migration 'emailDomain': 42.0% (420,000 of 1,000,000 rows), 23,000 rows/s, ETA 25s");
	}

	@Test
	void lineWithoutAnEstimateGivesRowsAndRateOnly() {
		assertThat(ProgressLine.of("x", new Progress(1_500, null, 99.6, false)))
			.isEqualTo("Backfill migration 'x': 1,500 rows, 100 rows/s");
	}

	@Test
	void timeLeftIsToTheSecondBelowAnHourAndToTheMinuteAbove() {
		assertThat(ProgressLine.eta(Duration.ofMillis(24_600))).isEqualTo("25s");
		assertThat(ProgressLine.eta(Duration.ofSeconds(245))).isEqualTo("4m 05s");
		assertThat(ProgressLine.eta(Duration.ofMinutes(123))).isEqualTo("2h 03m");
		assertThat(ProgressLine.eta(Duration.ofHours(76))).isEqualTo("3d 04h");
	}

	@Test
	void rateIsRowsOverTimeOfTheLastTenBatches() {
		RateWindow window = new RateWindow();
		assertThat(window.rowsPerSecond()).isNull();
		// One slow batch, then ten at 1,000 rows/s: the slow one has left the window.
		window.add(100, Duration.ofSeconds(10).toNanos());
		for (int i = 0; i < RateWindow.BATCHES; i++) {
			window.add(100, Duration.ofMillis(100).toNanos());
		}
		assertThat(window.rowsPerSecond()).isEqualTo(1000.0);
		assertThat(window.rowsPerSecondWith(100, Duration.ofMillis(200).toNanos()))
			.isCloseTo(1000.0 / 1.1, org.assertj.core.data.Offset.offset(0.001));
	}

}
