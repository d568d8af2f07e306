package dev.backfill.autoconfigure.throttle;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.backfill.ThrottleContext;
import dev.backfill.ThrottleDecision;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.DefaultHealthContributorRegistry;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The health-indicator throttle's decisions: which indicator holds batches, how often it is asked. */
class HealthIndicatorThrottleTests {

	private static final Duration INTERVAL = Duration.ofSeconds(1);

	private static final ThrottleContext CONTEXT = ThrottleContext.of("items", List.of(),
			new SimpleDriverDataSource());

	private final DefaultHealthContributorRegistry registry = new DefaultHealthContributorRegistry();

	private final AtomicLong nanos = new AtomicLong();

	@Test
	void indicatorThatIsNotRegisteredIsRefusedNamingTheRegisteredOnes() {
		this.registry.registerContributor("db", (HealthIndicator) () -> Health.up().build());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new HealthIndicatorThrottle(this.registry, List.of("db", "dbb"), INTERVAL))
			.withMessage("No health indicator named 'dbb'; the registered ones are [db]");
	}

	@Test
	void firstIndicatorThatIsNotUpHoldsBatchesWithItsNameAsReason() {
		this.registry.registerContributor("db", (HealthIndicator) () -> Health.up().build());
		this.registry.registerContributor("replicas", CompositeHealthContributor.fromMap(
				Map.of("one", (HealthIndicator) () -> Health.up().build(), "two",
						(HealthIndicator) () -> Health.outOfService().build())));
		ThrottleDecision decision = new HealthIndicatorThrottle(this.registry, List.of("db", "replicas"), INTERVAL)
			.decide(CONTEXT);
		assertThat(decision.isGo()).isFalse();
		assertThat(decision.reason()).isEqualTo("health:replicas");
		assertThat(decision.waitTime()).isEqualTo(INTERVAL);
	}

	@Test
	void indicatorsAreAskedAtMostOncePerCheckInterval() {
		AtomicInteger asked = new AtomicInteger();
		this.registry.registerContributor("db", (HealthIndicator) () -> {
			asked.incrementAndGet();
			return Health.up().build();
		});
		HealthIndicatorThrottle throttle = new HealthIndicatorThrottle(this.registry, List.of("db"), INTERVAL,
				this.nanos::get);
		assertThat(throttle.decide(CONTEXT).isGo()).isTrue();
		this.nanos.addAndGet(INTERVAL.toNanos() - 1);
		assertThat(throttle.decide(CONTEXT).isGo()).isTrue();
		assertThat(asked).hasValue(1);
		this.nanos.addAndGet(1);
		assertThat(throttle.decide(CONTEXT).isGo()).isTrue();
		assertThat(asked).hasValue(2);
	}

}
