package dev.backfill.internal.progress;

import java.time.Duration;
import java.util.Locale;

/**
 * The progress line a running migration logs every {@code backfill.progress-log-interval},
 * e.g. {@code Backfill migration 'emailDomain': 42.0% (420,000 of 1,000,000 rows),
 * 23,000 rows/s, ETA 25s}; without an estimate, rows and rate only.
 */
public final class ProgressLine {

	private ProgressLine() {
	}

	/**
	 * The line.
	 * @param migration the migration's name
	 * @param progress where it stands
	 * @return the text
	 */
	public static String of(String migration, Progress progress) {
		StringBuilder line = new StringBuilder("Backfill migration '").append(migration).append("': ");
		Double percent = progress.percent();
		if (percent != null && progress.estimatedTotal() != null) {
			line.append(String.format(Locale.ROOT, "%.1f%% (%,d of %,d rows)", percent, progress.rowsProcessed(),
					progress.estimatedTotal()));
		}
		else {
			line.append(String.format(Locale.ROOT, "%,d rows", progress.rowsProcessed()));
		}
		Double rate = progress.rowsPerSecond();
		if (rate != null) {
			line.append(String.format(Locale.ROOT, ", %,d rows/s", Math.round(rate)));
		}
		Duration eta = progress.eta();
		if (eta != null) {
			line.append(", ETA ").append(eta(eta));
		}
		return line.toString();
	}

	/**
	 * A time left, to the second below an hour and to the minute above: {@code 25s},
	 * {@code 4m 05s}, {@code 2h 03m}, {@code 3d 04h}.
	 * @param eta the time left
	 * @return the text
	 */
	static String eta(Duration eta) {
		long seconds = Math.round(eta.toMillis() / 1000.0);
		if (seconds < 60) {
			return seconds + "s";
		}
		if (seconds < 3600) {
			return String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60);
		}
		if (seconds < 86_400) {
			return String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, (seconds % 3600) / 60);
		}
		return String.format(Locale.ROOT, "%dd %02dh", seconds / 86_400, (seconds % 86_400) / 3600);
	}

}
