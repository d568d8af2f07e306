package dev.backfill.sample.dashboard;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.backfill.BackfillThrottle;
import dev.backfill.DataMigration;
import dev.backfill.ThrottleDecision;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.dao.TransientDataAccessResourceException;

/**
 * What the sample lacks for every panel of the dashboard to have data: a throttle that holds
 * the first and every tenth batch of each migration for 50 ms (reason {@code every-10th}), and
 * a third migration, {@code flakyNoOp}, that writes nothing and fails transiently in its
 * second batch and every twentieth after, so that batches are retried.
 */
@TestConfiguration(proxyBeanMethods = false)
class DashboardDemoConfiguration {

	static final String FLAKY_MIGRATION = "flakyNoOp";

	@Bean
	BackfillThrottle everyTenthBatchWaits() {
		Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
		return (context) -> (asked.computeIfAbsent(context.migration(), (name) -> new AtomicInteger())
			.getAndIncrement() % 10 == 0) ? ThrottleDecision.waitFor(Duration.ofMillis(50), "every-10th")
					: ThrottleDecision.go();
	}

	@Bean(FLAKY_MIGRATION)
	@Order(3)
	DataMigration flakyNoOp() {
		AtomicInteger calls = new AtomicInteger();
		return new DataMigration() {

			@Override
			public String baseQuery() {
				return "SELECT id FROM users";
			}

			@Override
			public void migrate(List<Map<String, Object>> rows) {
				if (calls.getAndIncrement() % 20 == 1) {
					throw new TransientDataAccessResourceException("Simulated lost connection (dashboard demo)");
				}
			}

		};
	}

}
