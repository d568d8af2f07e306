package dev.backfill.internal.progress;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTests {

	@Test
	void percentAndTimeLeftFollowFromRowsEstimateAndRate() {
		Progress progress = new Progress(250, 1000L, 50.0, false);
		assertThat(progress.percent()).isEqualTo(25.0);
		assertThat(progress.eta()).isEqualTo(Duration.ofSeconds(15));
	}

	@Test
	void aRunningMigrationPastItsEstimateShowsAlmostDoneAndNoTimeLeft() {
		Progress progress = new Progress(1200, 1000L, 50.0, false);
		assertThat(progress.percent()).isEqualTo(99.9);
		assertThat(progress.eta()).isEqualTo(Duration.ZERO);
	}

	@Test
	void withoutAnEstimateOrARateThereIsNoPercentOrTimeLeft() {
		assertThat(new Progress(10, null, 5.0, false).percent()).isNull();
		assertThat(new Progress(10, null, 5.0, false).eta()).isNull();
		assertThat(new Progress(10, 100L, null, false).eta()).isNull();
		assertThat(new Progress(10, 100L, 0.0, false).eta()).isNull();
	}

	@Test
	void aCompletedMigrationIsWholeWhateverItsEstimate() {
		assertThat(new Progress(10, 1000L, null, true).percent()).isEqualTo(100.0);
		assertThat(new Progress(10, null, null, true).eta()).isEqualTo(Duration.ZERO);
	}

}
