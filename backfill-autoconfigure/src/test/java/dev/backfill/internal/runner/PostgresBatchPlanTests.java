package dev.backfill.internal.runner;

import java.time.Duration;
import java.util.List;

import dev.backfill.internal.store.BatchLimits;
import dev.backfill.internal.store.SqlDialect.InlineLimits;
import dev.backfill.internal.store.SqlDialect;

import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On PostgreSQL a batch over a filtered single-table base query walks the key's index and
 * never sorts the matching set, so batches cost the same at the start and the end.
 */
class PostgresBatchPlanTests {

	private static final String BASE_QUERY = "SELECT id, email FROM users WHERE email_domain IS NULL";

	private static TestSchema schema;

	private static JdbcTemplate jdbc;

	@BeforeAll
	static void createHundredThousandUsers() {
		schema = TestDatabases.postgres().createSchema();
		jdbc = schema.jdbc();
		jdbc.execute("CREATE TABLE users (id BIGINT PRIMARY KEY, email TEXT NOT NULL, email_domain TEXT)");
		jdbc.execute("INSERT INTO users (id, email) SELECT i, 'user' || i || '@example' || (i % 50) || '.com' "
				+ "FROM generate_series(1, 100000) AS i");
		jdbc.execute("ANALYZE users");
	}

	@AfterAll
	static void dropSchema() {
		if (schema != null) {
			schema.close();
		}
	}

	@ParameterizedTest(name = "plan_cache_mode={0}")
	@ValueSource(strings = { "force_custom_plan", "force_generic_plan" })
	void batchQueryIsAnIndexScanOnTheKeyWithoutSort(String planCacheMode) {
		assertIndexScanWithoutSort(planCacheMode, new BatchQuery("users", BASE_QUERY, "id", 1000, null, false));
	}

	@ParameterizedTest(name = "plan_cache_mode={0}")
	@ValueSource(strings = { "force_custom_plan", "force_generic_plan" })
	void batchQueryCarryingTheBatchLimitsIsStillAnIndexScanWithoutSort(String planCacheMode) {
		InlineLimits limits = SqlDialect.forProductName("PostgreSQL")
			.inlineLimits(new BatchLimits(null, Duration.ofSeconds(2), Duration.ofMinutes(1)));
		assertThat(limits).isNotNull();
		assertIndexScanWithoutSort(planCacheMode, new BatchQuery("users", BASE_QUERY, "id", 1000, limits, false));
	}

	/**
	 * The check for NULL keys before the first batch and before completion reads the key's
	 * index (a primary key has no NULLs, so it finds none at once), never the table.
	 */
	@ParameterizedTest(name = "plan_cache_mode={0}")
	@ValueSource(strings = { "force_custom_plan", "force_generic_plan" })
	void nullKeyCheckIsAnIndexScanOnTheKey(String planCacheMode) {
		String plan = explain(planCacheMode, new BatchQuery("users", BASE_QUERY, "id", 1000, null, false).nullKeySql(),
				null);
		assertThat(plan).contains("Index Scan using users_pkey on users").contains("Index Cond: (id IS NULL)")
			.doesNotContain("Seq Scan");
	}

	private void assertIndexScanWithoutSort(String planCacheMode, BatchQuery query) {
		// One row more than the batch: the peek row that tells whether another batch follows.
		assertThat(query.sql(true)).endsWith(" LIMIT 1001");
		for (String plan : List.of(explain(planCacheMode, query.sql(true), null),
				explain(planCacheMode, query.sql(false), 50_000L), explain(planCacheMode, query.sql(false), 99_000L))) {
			assertThat(plan).contains("Index Scan using users_pkey on users").doesNotContain("Sort").doesNotContain(
					"Seq Scan");
		}
	}

	private String explain(String planCacheMode, String sql, Long afterKey) {
		TransactionTemplate transaction = new TransactionTemplate(new JdbcTransactionManager(schema.dataSource()));
		return transaction.execute((status) -> {
			jdbc.execute("SET LOCAL plan_cache_mode = " + planCacheMode);
			List<String> lines = (afterKey != null) ? jdbc.queryForList("EXPLAIN " + sql, String.class, afterKey)
					: jdbc.queryForList("EXPLAIN " + sql, String.class);
			return String.join("\n", lines);
		});
	}

}
