package dev.backfill.autoconfigure.throttle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import dev.backfill.ThrottleContext;
import dev.backfill.ThrottleDecision;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The replication-lag throttle's query on each database, and its decisions on a stubbed lag. */
class ReplicationLagThrottleTests {

	private static final Duration MAX_LAG = Duration.ofSeconds(2);

	private static final Duration INTERVAL = Duration.ofSeconds(1);

	private final AtomicLong nanos = new AtomicLong();

	private final List<Duration> lags = new ArrayList<>();

	private int reads;

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void primaryWithoutReplicasReportsNoLagOnPostgresAndNoneApplyElsewhere(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			Optional<Duration> lag = new ReplicationLagThrottle.DialectLagSource().lagOf(schema.dataSource());
			if ("PostgreSQL".equals(schema.databaseName())) {
				assertThat(lag).contains(Duration.ZERO);
			}
			else {
				assertThat(lag).isEmpty();
			}
		}
	}

	@Test
	void lagAboveTheLimitHoldsBatchesForTheCheckIntervalAndAtOrBelowItLetsThemGo() {
		ReplicationLagThrottle throttle = throttle();
		this.lags.add(Duration.ofMillis(2001));
		this.lags.add(MAX_LAG);
		ThrottleDecision held = throttle.decide(context());
		assertThat(held.isGo()).isFalse();
		assertThat(held.reason()).isEqualTo(ReplicationLagThrottle.REASON);
		assertThat(held.waitTime()).isEqualTo(INTERVAL);
		this.nanos.addAndGet(INTERVAL.toNanos());
		assertThat(throttle.decide(context()).isGo()).isTrue();
		assertThat(this.reads).isEqualTo(2);
	}

	@Test
	void lagIsReadAtMostOncePerCheckInterval() {
		ReplicationLagThrottle throttle = throttle();
		this.lags.add(Duration.ZERO);
		this.lags.add(Duration.ofMinutes(1));
		assertThat(throttle.decide(context()).isGo()).isTrue();
		this.nanos.addAndGet(INTERVAL.toNanos() - 1);
		assertThat(throttle.decide(context()).isGo()).as("reading reused within the interval").isTrue();
		assertThat(this.reads).isEqualTo(1);
		this.nanos.addAndGet(1);
		assertThat(throttle.decide(context()).isGo()).as("read again once the interval is over").isFalse();
		assertThat(this.reads).isEqualTo(2);
	}

	@Test
	void databaseThatCannotTellTheLagIsAskedOnceAndNeverHoldsBatches() {
		ReplicationLagThrottle throttle = new ReplicationLagThrottle(MAX_LAG, INTERVAL, (dataSource) -> {
			this.reads++;
			return Optional.empty();
		}, this.nanos::get);
		for (int i = 0; i < 3; i++) {
			assertThat(throttle.decide(context()).isGo()).isTrue();
			this.nanos.addAndGet(INTERVAL.toNanos());
		}
		assertThat(this.reads).isOne();
	}

	private ReplicationLagThrottle throttle() {
		return new ReplicationLagThrottle(MAX_LAG, INTERVAL, (dataSource) -> {
			this.reads++;
			return Optional.of(this.lags.remove(0));
		}, this.nanos::get);
	}

	private static ThrottleContext context() {
		return ThrottleContext.of("items", List.of(), DATA_SOURCE);
	}

	/** Never connected to: the lag comes from the stub. */
	private static final DataSource DATA_SOURCE = new SimpleDriverDataSource();

}
