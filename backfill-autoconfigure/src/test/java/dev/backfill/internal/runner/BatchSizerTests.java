package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntToLongFunction;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The adaptive batch size policy, with synthetic batch times (no clock): each simulated
 * batch takes its rows times a cost per row.
 */
class BatchSizerTests {

	private static final Duration TARGET = Duration.ofMillis(200);

	/** 1 ms a row: 200 rows meet the target. */
	private static final long ONE_MS = 1_000_000;

	@Test
	void constantCostPerRowConvergesWithinTenBatchesToWithinAQuarterOfTheSizeThatMeetsTheTarget() {
		BatchSizer sizer = BatchSizer.adaptive(20, TARGET, 10, 5000);
		List<Integer> sizes = run(sizer, 30, (batch) -> ONE_MS);
		assertThat(sizes.subList(9, 30)).allSatisfy((size) -> assertThat(size).isBetween(150, 250));
		assertThat(sizes.get(29)).isEqualTo(200);
	}

	@Test
	void convergesFromAboveAtOnceWhenTheFirstBatchRunsLong() {
		BatchSizer sizer = BatchSizer.adaptive(1000, TARGET, 10, 5000);
		List<Integer> sizes = run(sizer, 3, (batch) -> ONE_MS);
		assertThat(sizes).containsExactly(1000, 200, 200);
	}

	@Test
	void growsByAtMostHalfItsSizeABatch() {
		BatchSizer sizer = BatchSizer.adaptive(10, TARGET, 1, 100_000);
		// 1 µs a row: the ideal size is 200,000, far more than the cap allows at once.
		List<Integer> sizes = run(sizer, 20, (batch) -> 1_000);
		for (int i = 1; i < sizes.size(); i++) {
			assertThat(sizes.get(i)).as("batch %d", i + 1)
				.isGreaterThan(sizes.get(i - 1))
				.isLessThanOrEqualTo((int) Math.ceil(sizes.get(i - 1) * BatchSizer.GROWTH_LIMIT));
		}
	}

	@Test
	void growsFromASizeOfOne() {
		BatchSizer sizer = BatchSizer.adaptive(1, TARGET, 1, 100);
		assertThat(run(sizer, 4, (batch) -> 1_000)).containsExactly(1, 2, 3, 5);
	}

	@Test
	void shrinksAtOnceWithoutLimitAfterABatchThatRanLong() {
		BatchSizer sizer = BatchSizer.adaptive(200, TARGET, 1, 5000);
		run(sizer, 5, (batch) -> ONE_MS);
		assertThat(sizer.size()).isEqualTo(200);
		// One batch ten times as costly (2 s for 200 rows): the next is sized for that cost.
		sizer.measured(200, Duration.ofMillis(2000));
		assertThat(sizer.size()).isEqualTo(20);
	}

	@Test
	void aBatchSomewhatOverTheTargetMovesTheAverageRatherThanReplacingIt() {
		BatchSizer sizer = BatchSizer.adaptive(200, TARGET, 1, 5000);
		run(sizer, 5, (batch) -> ONE_MS);
		// 1.4 times the target, under the margin: the average of 1 and 1.4 ms a row.
		sizer.measured(200, Duration.ofMillis(280));
		assertThat(sizer.size()).isEqualTo(166);
	}

	@Test
	void followsATenfoldCostChangeAcrossTheTableBothWays() {
		BatchSizer sizer = BatchSizer.adaptive(200, TARGET, 1, 100_000);
		// Rows 1 ms each for 10 batches, then 0.1 ms for 20 batches, then 1 ms again.
		List<Integer> sizes = run(sizer, 45, (batch) -> (batch < 10 || batch >= 30) ? ONE_MS : ONE_MS / 10);
		assertThat(sizes.subList(0, 10)).containsOnly(200);
		// Growing tenfold at most 1.5 times a batch takes 6 batches; within 10 it is there.
		assertThat(sizes.subList(20, 30)).allSatisfy((size) -> assertThat(size).isBetween(1500, 2500));
		// Back to 1 ms a row: the first costly batch (about 2000 rows, 2 s) brings the very
		// next one down to the size that meets the target.
		assertThat(sizes.get(30)).isBetween(1500, 2500);
		assertThat(sizes.get(31)).isEqualTo(200);
		assertThat(sizes.subList(31, 45)).allSatisfy((size) -> assertThat(size).isBetween(150, 250));
	}

	@Test
	void staysWithinTheMinimumAndMaximum() {
		BatchSizer cheap = BatchSizer.adaptive(50, TARGET, 100, 1000);
		assertThat(cheap.size()).as("first size clamped up to the minimum").isEqualTo(100);
		assertThat(run(cheap, 20, (batch) -> 1)).allSatisfy((size) -> assertThat(size).isBetween(100, 1000))
			.endsWith(1000, 1000);
		BatchSizer costly = BatchSizer.adaptive(5000, TARGET, 100, 1000);
		assertThat(costly.size()).as("first size clamped down to the maximum").isEqualTo(1000);
		// 100 ms a row: 2 rows would meet the target, but the minimum is 100.
		assertThat(run(costly, 5, (batch) -> 100 * ONE_MS)).containsExactly(1000, 100, 100, 100, 100);
	}

	@Test
	void theLastShortBatchIsMeasuredByItsRowsAndAnEmptyOneNotAtAll() {
		BatchSizer sizer = BatchSizer.adaptive(200, TARGET, 1, 5000);
		sizer.measured(200, Duration.ofMillis(200));
		// 50 rows in 50 ms: the same cost per row, though fewer rows than the size.
		sizer.measured(50, Duration.ofMillis(50));
		assertThat(sizer.size()).isEqualTo(200);
		sizer.measured(0, Duration.ofMillis(5000));
		assertThat(sizer.size()).isEqualTo(200);
	}

	@Test
	void halvesDownToTheMinimumAfterAStatementTimeout() {
		BatchSizer sizer = BatchSizer.adaptive(100, TARGET, 30, 5000);
		assertThat(sizer.halve()).isTrue();
		assertThat(sizer.size()).isEqualTo(50);
		assertThat(sizer.halve()).isTrue();
		assertThat(sizer.size()).isEqualTo(30);
		assertThat(sizer.halve()).isFalse();
		assertThat(sizer.size()).isEqualTo(30);
	}

	@Test
	void aFixedSizeNeverChanges() {
		BatchSizer sizer = BatchSizer.fixed(1000);
		assertThat(sizer.isAdaptive()).isFalse();
		sizer.measured(1000, Duration.ofSeconds(60));
		sizer.measured(1000, Duration.ofNanos(1));
		assertThat(sizer.halve()).isFalse();
		assertThat(sizer.size()).isEqualTo(1000);
	}

	/**
	 * Runs batches, each taking its size times the cost per row of its number (0-based).
	 * @return the size of each batch
	 */
	private static List<Integer> run(BatchSizer sizer, int batches, IntToLongFunction nanosPerRow) {
		List<Integer> sizes = new ArrayList<>();
		for (int batch = 0; batch < batches; batch++) {
			int size = sizer.size();
			sizes.add(size);
			sizer.measured(size, Duration.ofNanos(size * nanosPerRow.applyAsLong(batch)));
		}
		return sizes;
	}

}
