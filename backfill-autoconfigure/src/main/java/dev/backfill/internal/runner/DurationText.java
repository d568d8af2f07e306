package dev.backfill.internal.runner;

import java.time.Duration;

/**
 * Durations in messages, as a property would be written and Spring Boot binds it: whole
 * units only ({@code 2s}, {@code 10m}, {@code 1500ms}), since its simple style takes no
 * fractions.
 */
final class DurationText {

	private DurationText() {
	}

	static String of(Duration duration) {
		long millis = duration.toMillis();
		if (millis != 0 && millis % 60_000 == 0) {
			return (millis / 60_000) + "m";
		}
		if (millis % 1000 == 0) {
			return (millis / 1000) + "s";
		}
		return millis + "ms";
	}

}
