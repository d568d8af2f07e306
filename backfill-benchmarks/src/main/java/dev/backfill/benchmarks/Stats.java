package dev.backfill.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Medians and slices. */
final class Stats {

	private Stats() {
	}

	static double median(List<? extends Number> values) {
		if (values.isEmpty()) {
			return Double.NaN;
		}
		List<Double> sorted = new ArrayList<>();
		for (Number value : values) {
			sorted.add(value.doubleValue());
		}
		Collections.sort(sorted);
		int middle = sorted.size() / 2;
		return (sorted.size() % 2 == 1) ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
	}

	/** The first {@code fraction} of the values, at least one. */
	static <T> List<T> head(List<T> values, double fraction) {
		int count = Math.max(1, (int) Math.round(values.size() * fraction));
		return values.subList(0, Math.min(count, values.size()));
	}

	/** The last {@code fraction} of the values, at least one. */
	static <T> List<T> tail(List<T> values, double fraction) {
		int count = Math.max(1, (int) Math.round(values.size() * fraction));
		return values.subList(Math.max(0, values.size() - count), values.size());
	}

}
