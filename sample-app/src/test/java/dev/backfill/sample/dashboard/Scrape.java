package dev.backfill.sample.dashboard;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One scrape of a Prometheus text exposition (what {@code /actuator/prometheus} serves): its
 * samples and when it was taken.
 *
 * @param time when the scrape was taken
 * @param samples its samples, in the order served
 */
record Scrape(Instant time, List<Sample> samples) {

	/**
	 * One sample line: metric name, labels, value.
	 *
	 * @param name the metric name, e.g. {@code backfill_rows_total}
	 * @param labels the labels, without the name
	 * @param value the value
	 */
	record Sample(String name, Map<String, String> labels, double value) {
	}

	/**
	 * Parses the text exposition format (version 0.0.4): comment lines are skipped.
	 * @param time when the scrape was taken
	 * @param text the scrape
	 * @return the scrape
	 */
	static Scrape parse(Instant time, String text) {
		List<Sample> samples = new ArrayList<>();
		for (String line : text.split("\n")) {
			if (!line.isBlank() && !line.startsWith("#")) {
				samples.add(parseLine(line.strip()));
			}
		}
		return new Scrape(time, Collections.unmodifiableList(samples));
	}

	/**
	 * The metric names in this scrape.
	 * @return the names, sorted
	 */
	Set<String> names() {
		Set<String> names = new TreeSet<>();
		this.samples.forEach((sample) -> names.add(sample.name()));
		return names;
	}

	private static Sample parseLine(String line) {
		int brace = line.indexOf('{');
		int space = line.indexOf(' ');
		if (brace < 0 || brace > space) {
			return new Sample(line.substring(0, space), Map.of(), value(line.substring(space + 1)));
		}
		String name = line.substring(0, brace);
		Map<String, String> labels = new LinkedHashMap<>();
		int i = brace + 1;
		while (line.charAt(i) != '}') {
			int equals = line.indexOf('=', i);
			String label = line.substring(i, equals).strip();
			StringBuilder value = new StringBuilder();
			int j = equals + 2; // past ="
			while (line.charAt(j) != '"') {
				char c = line.charAt(j++);
				if (c == '\\') {
					char escaped = line.charAt(j++);
					value.append((escaped == 'n') ? '\n' : escaped);
				}
				else {
					value.append(c);
				}
			}
			labels.put(label, value.toString());
			i = j + 1;
			if (line.charAt(i) == ',') {
				i++;
			}
		}
		return new Sample(name, labels, value(line.substring(i + 1).strip()));
	}

	private static double value(String text) {
		String number = text.split(" ")[0];
		return switch (number) {
			case "+Inf" -> Double.POSITIVE_INFINITY;
			case "-Inf" -> Double.NEGATIVE_INFINITY;
			case "NaN" -> Double.NaN;
			default -> Double.parseDouble(number);
		};
	}

}
