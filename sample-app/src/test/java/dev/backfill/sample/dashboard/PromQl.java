package dev.backfill.sample.dashboard;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The part of PromQL the dashboard uses, parsed and evaluated over a series of scrapes:
 * selectors with label matchers, {@code rate} and {@code increase} over a range,
 * {@code sum}/{@code max}/{@code min} {@code by (…)}, {@code histogram_quantile} and
 * {@code /} between two vectors. Anything else fails to parse, so the dashboard cannot use
 * what the tests and the picture do not understand.
 * <p>
 * Unlike Prometheus, {@code rate} and {@code increase} do not extrapolate to the window's
 * edges: they take the first and the last sample of the series inside the window.
 */
final class PromQl {

	private static final Set<String> AGGREGATIONS = Set.of("sum", "max", "min");

	private final String text;

	private int at;

	private PromQl(String text) {
		this.text = text;
	}

	/**
	 * Parses an expression.
	 * @param expression the expression, template variables already replaced
	 * @return the parsed expression
	 * @throws IllegalArgumentException if it is not in the supported subset
	 */
	static Expr parse(String expression) {
		PromQl parser = new PromQl(expression);
		Expr expr = parser.expression();
		parser.skipSpaces();
		if (parser.at != expression.length()) {
			throw parser.error("end of expression");
		}
		return expr;
	}

	/** A series of an instant vector: labels (without the metric name) and value. */
	record Series(Map<String, String> labels, double value) {
	}

	/** An expression, evaluated at one scrape of a series of scrapes. */
	sealed interface Expr {

		/**
		 * The vector this expression has at a scrape.
		 * @param scrapes the scrapes, oldest first
		 * @param index the scrape to evaluate at
		 * @return the vector
		 */
		List<Series> evaluate(List<Scrape> scrapes, int index);

		/**
		 * Adds the selectors of this expression.
		 * @param selectors where to add them
		 */
		void addSelectors(List<Selector> selectors);

	}

	/** {@code name{label="value", label=~"regex"}}, with an optional range {@code [5m]}. */
	record Selector(String metric, List<Matcher> matchers, Duration range) implements Expr {

		@Override
		public List<Series> evaluate(List<Scrape> scrapes, int index) {
			List<Series> vector = new ArrayList<>();
			for (Scrape.Sample sample : scrapes.get(index).samples()) {
				if (matches(sample)) {
					vector.add(new Series(sample.labels(), sample.value()));
				}
			}
			return vector;
		}

		boolean matches(Scrape.Sample sample) {
			return sample.name().equals(this.metric)
					&& this.matchers.stream().allMatch((matcher) -> matcher.matches(sample.labels()));
		}

		/** Whether this selector filters on a label. */
		boolean filters(String label) {
			return this.matchers.stream().anyMatch((matcher) -> matcher.label().equals(label));
		}

		@Override
		public void addSelectors(List<Selector> selectors) {
			selectors.add(this);
		}

	}

	/** A label matcher: {@code =}, {@code !=}, {@code =~} or {@code !~}. */
	record Matcher(String label, String operator, String value) {

		boolean matches(Map<String, String> labels) {
			String actual = labels.getOrDefault(this.label, "");
			return switch (this.operator) {
				case "=" -> actual.equals(this.value);
				case "!=" -> !actual.equals(this.value);
				case "=~" -> Pattern.matches(this.value, actual);
				default -> !Pattern.matches(this.value, actual);
			};
		}

	}

	/** {@code rate(selector[range])} or {@code increase(selector[range])}. */
	record RangeFunction(String name, Selector selector) implements Expr {

		@Override
		public List<Series> evaluate(List<Scrape> scrapes, int index) {
			Scrape now = scrapes.get(index);
			List<Series> vector = new ArrayList<>();
			for (Series last : this.selector.evaluate(scrapes, index)) {
				Scrape firstScrape = null;
				Series first = null;
				for (int i = 0; i < index && first == null; i++) {
					Scrape earlier = scrapes.get(i);
					if (!earlier.time().isBefore(now.time().minus(this.selector.range()))) {
						first = sameSeries(this.selector.evaluate(scrapes, i), last.labels());
						firstScrape = earlier;
					}
				}
				if (first != null) {
					// A counter that went down was reset: count from zero.
					double increase = (last.value() >= first.value()) ? last.value() - first.value() : last.value();
					double seconds = Duration.between(firstScrape.time(), now.time()).toMillis() / 1000.0;
					vector.add(new Series(last.labels(), this.name.equals("rate") ? increase / seconds : increase));
				}
			}
			return vector;
		}

		private static Series sameSeries(List<Series> vector, Map<String, String> labels) {
			return vector.stream().filter((series) -> series.labels().equals(labels)).findFirst().orElse(null);
		}

		@Override
		public void addSelectors(List<Selector> selectors) {
			selectors.add(this.selector);
		}

	}

	/** {@code sum by (labels) (expr)}, likewise {@code max} and {@code min}. */
	record Aggregation(String operator, List<String> by, Expr operand) implements Expr {

		@Override
		public List<Series> evaluate(List<Scrape> scrapes, int index) {
			Map<Map<String, String>, Double> groups = new LinkedHashMap<>();
			for (Series series : this.operand.evaluate(scrapes, index)) {
				Map<String, String> group = new TreeMap<>();
				this.by.forEach((label) -> group.put(label, series.labels().getOrDefault(label, "")));
				groups.merge(group, series.value(), switch (this.operator) {
					case "sum" -> Double::sum;
					case "max" -> Math::max;
					default -> Math::min;
				});
			}
			List<Series> vector = new ArrayList<>();
			groups.forEach((labels, value) -> vector.add(new Series(labels, value)));
			return vector;
		}

		@Override
		public void addSelectors(List<Selector> selectors) {
			this.operand.addSelectors(selectors);
		}

	}

	/**
	 * {@code histogram_quantile(q, buckets)}: Prometheus' linear interpolation inside the
	 * bucket where the quantile falls; NaN for a histogram without observations.
	 */
	record HistogramQuantile(double quantile, Expr buckets) implements Expr {

		@Override
		public List<Series> evaluate(List<Scrape> scrapes, int index) {
			Map<Map<String, String>, TreeMap<Double, Double>> histograms = new LinkedHashMap<>();
			for (Series bucket : this.buckets.evaluate(scrapes, index)) {
				Map<String, String> labels = new TreeMap<>(bucket.labels());
				double le = Double.parseDouble(labels.remove("le").replace("+Inf", "Infinity"));
				histograms.computeIfAbsent(labels, (key) -> new TreeMap<>()).put(le, bucket.value());
			}
			List<Series> vector = new ArrayList<>();
			histograms.forEach((labels, counts) -> vector.add(new Series(labels, quantile(counts))));
			return vector;
		}

		private double quantile(TreeMap<Double, Double> counts) {
			double total = counts.lastEntry().getValue();
			if (!(total > 0)) {
				return Double.NaN;
			}
			double rank = this.quantile * total;
			double lowerBound = 0;
			double lowerCount = 0;
			for (Map.Entry<Double, Double> bucket : counts.entrySet()) {
				if (bucket.getValue() >= rank) {
					if (bucket.getKey().isInfinite()) {
						return lowerBound;
					}
					double inBucket = bucket.getValue() - lowerCount;
					return lowerBound + (bucket.getKey() - lowerBound) * ((rank - lowerCount) / inBucket);
				}
				lowerBound = bucket.getKey();
				lowerCount = bucket.getValue();
			}
			return lowerBound;
		}

		@Override
		public void addSelectors(List<Selector> selectors) {
			this.buckets.addSelectors(selectors);
		}

	}

	/** {@code left / right}, matching series with the same labels. */
	record Division(Expr left, Expr right) implements Expr {

		@Override
		public List<Series> evaluate(List<Scrape> scrapes, int index) {
			List<Series> divisors = this.right.evaluate(scrapes, index);
			List<Series> vector = new ArrayList<>();
			for (Series dividend : this.left.evaluate(scrapes, index)) {
				divisors.stream()
					.filter((divisor) -> divisor.labels().equals(dividend.labels()))
					.findFirst()
					.ifPresent((divisor) -> vector.add(new Series(dividend.labels(), dividend.value() / divisor.value())));
			}
			return vector;
		}

		@Override
		public void addSelectors(List<Selector> selectors) {
			this.left.addSelectors(selectors);
			this.right.addSelectors(selectors);
		}

	}

	/**
	 * The metric names an expression selects.
	 * @param expr the expression
	 * @return its metric names, sorted
	 */
	static Set<String> metricNames(Expr expr) {
		Set<String> names = new TreeSet<>();
		selectors(expr).forEach((selector) -> names.add(selector.metric()));
		return names;
	}

	/**
	 * The selectors of an expression.
	 * @param expr the expression
	 * @return its selectors
	 */
	static List<Selector> selectors(Expr expr) {
		List<Selector> selectors = new ArrayList<>();
		expr.addSelectors(selectors);
		return selectors;
	}

	private Expr expression() {
		Expr left = operand();
		while (peek('/')) {
			expect("/");
			left = new Division(left, operand());
		}
		return left;
	}

	private Expr operand() {
		if (peek('(')) {
			expect("(");
			Expr inner = expression();
			expect(")");
			return inner;
		}
		String name = identifier();
		if (AGGREGATIONS.contains(name)) {
			List<String> by = new ArrayList<>();
			if (peekWord("by")) {
				identifier();
				expect("(");
				by.add(identifier());
				while (peek(',')) {
					expect(",");
					by.add(identifier());
				}
				expect(")");
			}
			expect("(");
			Expr operand = expression();
			expect(")");
			return new Aggregation(name, List.copyOf(by), operand);
		}
		if (name.equals("rate") || name.equals("increase")) {
			expect("(");
			Selector selector = selector(identifier());
			expect(")");
			if (selector.range() == null) {
				throw error("a range [...] in " + name + "(...)");
			}
			return new RangeFunction(name, selector);
		}
		if (name.equals("histogram_quantile")) {
			expect("(");
			double quantile = Double.parseDouble(token("0123456789."));
			expect(",");
			Expr buckets = expression();
			expect(")");
			return new HistogramQuantile(quantile, buckets);
		}
		return selector(name);
	}

	private Selector selector(String metric) {
		List<Matcher> matchers = new ArrayList<>();
		if (peek('{')) {
			expect("{");
			while (!peek('}')) {
				String label = identifier();
				skipSpaces();
				String operator = this.text.startsWith("=~", this.at) || this.text.startsWith("!=", this.at)
						|| this.text.startsWith("!~", this.at) ? this.text.substring(this.at, this.at + 2) : "=";
				expect(operator);
				matchers.add(new Matcher(label, operator, string()));
				if (peek(',')) {
					expect(",");
				}
			}
			expect("}");
		}
		Duration range = null;
		if (peek('[')) {
			expect("[");
			String duration = token("0123456789smh");
			expect("]");
			range = duration(duration);
		}
		return new Selector(metric, List.copyOf(matchers), range);
	}

	private Duration duration(String text) {
		long amount = Long.parseLong(text.substring(0, text.length() - 1));
		return switch (text.charAt(text.length() - 1)) {
			case 's' -> Duration.ofSeconds(amount);
			case 'm' -> Duration.ofMinutes(amount);
			case 'h' -> Duration.ofHours(amount);
			default -> throw error("a duration in s, m or h");
		};
	}

	private String string() {
		skipSpaces();
		expect("\"");
		int end = this.text.indexOf('"', this.at);
		if (end < 0) {
			throw error("a closing quote");
		}
		String value = this.text.substring(this.at, end);
		this.at = end + 1;
		return value;
	}

	private String identifier() {
		String identifier = token("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:");
		if (identifier.isEmpty() || Character.isDigit(identifier.charAt(0))) {
			throw error("a name");
		}
		return identifier;
	}

	private String token(String characters) {
		skipSpaces();
		int start = this.at;
		while (this.at < this.text.length() && characters.indexOf(this.text.charAt(this.at)) >= 0) {
			this.at++;
		}
		return this.text.substring(start, this.at);
	}

	private boolean peek(char c) {
		skipSpaces();
		return this.at < this.text.length() && this.text.charAt(this.at) == c;
	}

	private boolean peekWord(String word) {
		skipSpaces();
		return this.text.startsWith(word, this.at) && this.at + word.length() < this.text.length()
				&& !Character.isLetterOrDigit(this.text.charAt(this.at + word.length()));
	}

	private void expect(String expected) {
		skipSpaces();
		if (!this.text.startsWith(expected, this.at)) {
			throw error("'" + expected + "'");
		}
		this.at += expected.length();
	}

	private void skipSpaces() {
		while (this.at < this.text.length() && Character.isWhitespace(this.text.charAt(this.at))) {
			this.at++;
		}
	}

	private IllegalArgumentException error(String expected) {
		return new IllegalArgumentException(
				"Expected " + expected + " at position " + this.at + " of PromQL expression: " + this.text);
	}

}
