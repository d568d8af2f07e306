package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.Locale;

/** Durations in messages, as a property would be written ({@code 2s}, {@code 10m}, {@code 1.5s}). */
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
		return (millis < 1000) ? millis + "ms" : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
	}

}
