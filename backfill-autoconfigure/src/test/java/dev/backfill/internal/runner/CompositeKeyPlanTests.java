package dev.backfill.internal.runner;

import java.util.List;
import java.util.Map;

import dev.backfill.internal.store.SqlDialect;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch after a composite checkpoint is a range scan of the composite index from the
 * checkpoint on, in the index's order: on PostgreSQL the row-value comparison is the
 * index condition; on MariaDB the spelled-out comparison is a {@code range} over both
 * columns of the index. Over 20,000 rows in 200 tenants, analyzed, so the planners have
 * a real choice.
 */
class CompositeKeyPlanTests {

	private static final String BASE_QUERY = "SELECT tenant_id, id, payload FROM events";

	private static final String CREATE_EVENTS = "CREATE TABLE events (pk BIGINT PRIMARY KEY, tenant_id INT NOT NULL, "
			+ "id INT NOT NULL, payload VARCHAR(40) NOT NULL)";

	private static final String CREATE_INDEX = "CREATE INDEX events_tenant_id ON events (tenant_id, id)";

	@ParameterizedTest(name = "plan_cache_mode={0}")
	@ValueSource(strings = { "force_custom_plan", "force_generic_plan" })
	void onPostgresTheRowComparisonIsTheIndexConditionOfTheCompositeIndex(String planCacheMode) {
		try (TestSchema schema = TestDatabases.postgres().createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute(CREATE_EVENTS);
			jdbc.execute(CREATE_INDEX);
			jdbc.execute("INSERT INTO events SELECT i, i / 100, i % 100, 'event ' || i "
					+ "FROM generate_series(0, 19999) i");
			jdbc.execute("ANALYZE events");
			BatchQuery query = query("PostgreSQL");
			TransactionTemplate transaction = new TransactionTemplate(new JdbcTransactionManager(schema.dataSource()));
			String plan = transaction.execute((status) -> {
				jdbc.execute("SET LOCAL plan_cache_mode = " + planCacheMode);
				return String.join("\n", jdbc.queryForList("EXPLAIN " + query.sql(false), String.class,
						checkpoint("PostgreSQL")));
			});
			assertThat(plan).contains("Index Scan using events_tenant_id on events")
				.containsPattern("Index Cond: \\(ROW\\(tenant_id, id\\) > ROW\\((100|\\$1), (50|\\$2)\\)\\)")
				.doesNotContain("Filter")
				.doesNotContain("Sort")
				.doesNotContain("Seq Scan");
		}
	}

	@Test
	void onMariaDbTheSpelledOutComparisonIsARangeOverBothColumnsOfTheCompositeIndex() {
		try (TestSchema schema = TestDatabases.mariadb().createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute(CREATE_EVENTS);
			jdbc.execute(CREATE_INDEX);
			jdbc.execute("INSERT INTO events SELECT seq, seq DIV 100, seq MOD 100, CONCAT('event ', seq) "
					+ "FROM seq_0_to_19999");
			jdbc.execute("ANALYZE TABLE events");
			List<Map<String, Object>> plan = jdbc.queryForList("EXPLAIN " + query("MariaDB").sql(false),
					checkpoint("MariaDB"));
			assertThat(plan).singleElement().satisfies((row) -> {
				assertThat(row.get("type")).isEqualTo("range");
				assertThat(row.get("key")).isEqualTo("events_tenant_id");
				// Both INT columns (4 bytes each): the range starts at the checkpoint itself, not at
				// the first row of its tenant.
				assertThat(String.valueOf(row.get("key_len"))).isEqualTo("8");
				assertThat(String.valueOf(row.get("Extra"))).doesNotContain("filesort");
			});
		}
	}

	/** The parameters of checkpoint (100, 50), in the order the dialect's condition takes them. */
	private static Object[] checkpoint(String productName) {
		return SqlDialect.forProductName(productName)
			.keysAfter(List.of("tenant_id", "id"))
			.parameters(List.of(100, 50));
	}

	private static BatchQuery query(String productName) {
		return new BatchQuery("events", BASE_QUERY, List.of("tenant_id", "id"), 1000, null,
				SqlDialect.forProductName(productName), false);
	}

}
