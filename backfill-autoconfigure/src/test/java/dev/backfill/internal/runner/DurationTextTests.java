package dev.backfill.internal.runner;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/** Durations in messages are written so that they can be copied into a property. */
class DurationTextTests {

	@ParameterizedTest(name = "{0} ms")
	@ValueSource(longs = { 0, 1, 999, 1000, 1500, 2050, 59_999, 60_000, 90_000, 3_600_000 })
	void durationTextBindsAsAPropertyToTheSameDuration(long millis) {
		Duration duration = Duration.ofMillis(millis);
		String text = DurationText.of(duration);
		assertThat(DurationStyle.SIMPLE.parse(text)).as(text).isEqualTo(duration);
	}

	@ParameterizedTest(name = "{0} ms")
	@ValueSource(longs = { 1500, 2050 })
	void durationOfAFractionOfASecondIsWrittenInMilliseconds(long millis) {
		assertThat(DurationText.of(Duration.ofMillis(millis))).isEqualTo(millis + "ms");
	}

}
