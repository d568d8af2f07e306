package dev.backfill.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The progress lines with percent, rows, rate and ETA that a migration logged, parsed. */
public final class ProgressLines {

	private ProgressLines() {
	}

	/**
	 * Finds a migration's progress lines in captured output.
	 * @param output the output
	 * @param migration the migration's name
	 * @param total the estimated total the lines must show
	 * @return the lines, in order
	 */
	public static List<Line> of(String output, String migration, long total) {
		Pattern pattern = Pattern.compile("Backfill migration '" + Pattern.quote(migration)
				+ "': (\\d+\\.\\d)% \\(([\\d,]+) of " + String.format(Locale.ROOT, "%,d", total)
				+ " rows\\), ([\\d,]+) rows/s, ETA (\\d+)s");
		Matcher matcher = pattern.matcher(output);
		List<Line> lines = new ArrayList<>();
		while (matcher.find()) {
			lines.add(new Line(Double.parseDouble(matcher.group(1)), number(matcher.group(2)), number(matcher.group(3)),
					number(matcher.group(4))));
		}
		return lines;
	}

	private static long number(String text) {
		return Long.parseLong(text.replace(",", ""));
	}

	/** One progress line's figures. */
	public record Line(double percent, long rows, long rowsPerSecond, long etaSeconds) {
	}

}
