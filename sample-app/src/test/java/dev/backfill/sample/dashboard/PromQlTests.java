package dev.backfill.sample.dashboard;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

/**
 * The PromQL subset that checks the dashboard and draws its picture computes what
 * Prometheus computes for the same samples (without {@code rate}'s extrapolation).
 */
class PromQlTests {

	private static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

	private final List<Scrape> scrapes = List.of(scrape(0, """
			# TYPE backfill_rows_total counter
			backfill_rows_total{migration="a"} 100.0
			backfill_rows_total{migration="b"} 0.0
			backfill_batch_seconds_bucket{migration="a",le="0.1"} 0
			backfill_batch_seconds_bucket{migration="a",le="0.2"} 0
			backfill_batch_seconds_bucket{migration="a",le="+Inf"} 0
			"""), scrape(5, """
			backfill_rows_total{migration="a"} 600.0
			backfill_rows_total{migration="b"} 50.0
			backfill_batch_seconds_bucket{migration="a",le="0.1"} 10
			backfill_batch_seconds_bucket{migration="a",le="0.2"} 20
			backfill_batch_seconds_bucket{migration="a",le="+Inf"} 20
			"""), scrape(10, """
			backfill_rows_total{migration="a"} 700.0
			backfill_rows_total{migration="b"} 20.0
			backfill_batch_seconds_bucket{migration="a",le="0.1"} 10
			backfill_batch_seconds_bucket{migration="a",le="0.2"} 20
			backfill_batch_seconds_bucket{migration="a",le="+Inf"} 24
			"""));

	@Test
	void rateIsTheIncreaseOverTheWindowsFirstAndLastSamplePerSecond() {
		assertThat(value("rate(backfill_rows_total{migration=\"a\"}[5s])", 1)).isEqualTo(100.0);
		assertThat(value("rate(backfill_rows_total{migration=\"a\"}[1m])", 2)).isEqualTo(60.0);
		assertThat(value("increase(backfill_rows_total{migration=\"a\"}[1m])", 2)).isEqualTo(600.0);
		// b went from 50 down to 20: a reset, counted from zero.
		assertThat(value("increase(backfill_rows_total{migration=\"b\"}[5s])", 2)).isEqualTo(20.0);
		assertThat(PromQl.parse("rate(backfill_rows_total[5s])").evaluate(this.scrapes, 0)).isEmpty();
	}

	@Test
	void sumByGroupsOnTheNamedLabelsAndMatchersFilter() {
		assertThat(PromQl.parse("sum by (migration) (backfill_rows_total{migration=~\"a|b\"})")
			.evaluate(this.scrapes, 1)).containsExactly(new PromQl.Series(Map.of("migration", "a"), 600.0),
					new PromQl.Series(Map.of("migration", "b"), 50.0));
		assertThat(value("sum(backfill_rows_total{migration!=\"b\"})", 1)).isEqualTo(600.0);
		assertThat(value("max by (migration) (backfill_rows_total{migration=\"a\"}) / "
				+ "max by (migration) (backfill_rows_total{migration=~\"a\"})", 1)).isEqualTo(1.0);
	}

	@Test
	void histogramQuantileInterpolatesInsideTheBucketLikePrometheus() {
		String buckets = "sum by (le, migration) (backfill_batch_seconds_bucket)";
		// 20 observations, 10 up to 0.1 s and 10 in (0.1, 0.2]: the 75th is halfway into the second bucket.
		assertThat(value("histogram_quantile(0.75, " + buckets + ")", 1)).isCloseTo(0.15, within(1e-9));
		assertThat(value("histogram_quantile(0.25, " + buckets + ")", 1)).isCloseTo(0.05, within(1e-9));
		// In the +Inf bucket: the highest finite bound.
		assertThat(value("histogram_quantile(0.99, " + buckets + ")", 2)).isEqualTo(0.2);
		assertThat(value("histogram_quantile(0.5, " + buckets + ")", 0)).isNaN();
	}

	@Test
	void whatTheSubsetDoesNotKnowIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> PromQl.parse("avg(backfill_rows_total)"))
			.withMessageContaining("position");
		assertThatIllegalArgumentException().isThrownBy(() -> PromQl.parse("rate(backfill_rows_total)"))
			.withMessageContaining("a range");
		assertThatIllegalArgumentException().isThrownBy(() -> PromQl.parse("backfill_rows_total * 2"));
	}

	private double value(String expression, int index) {
		List<PromQl.Series> vector = PromQl.parse(expression).evaluate(this.scrapes, index);
		assertThat(vector).as(expression).hasSize(1);
		return vector.get(0).value();
	}

	private static Scrape scrape(int second, String text) {
		return Scrape.parse(START.plusSeconds(second), text.stripIndent());
	}

}
