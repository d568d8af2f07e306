package dev.backfill.internal.runner;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.backfill.internal.store.SqlDialect;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A batch after a composite checkpoint is a range scan of the composite index from the
 * checkpoint on, in the index's order: on PostgreSQL the row-value comparison is the
 * index condition; on MariaDB the spelled-out comparison is a {@code range} over both
 * columns of the index. A chunk's batch alike, bounded at both ends of the range. Over
 * 20,000 rows in 200 tenants, analyzed, so the planners have a real choice.
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
			createEvents(schema.jdbc(), "SELECT i, i / 100, i % 100, 'event ' || i FROM generate_series(0, 19999) i",
					"ANALYZE events");
			String plan = postgresPlan(schema, planCacheMode, query("PostgreSQL").sql(false), checkpoint("PostgreSQL"));
			assertIndexScanOfTheCompositeIndex(plan,
					"Index Cond: \\(ROW\\(tenant_id, id\\) > ROW\\((100|\\$1), (50|\\$2)\\)\\)");
		}
	}

	@Test
	void onMariaDbTheSpelledOutComparisonIsARangeOverBothColumnsOfTheCompositeIndex() {
		try (TestSchema schema = TestDatabases.mariadb().createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvents(jdbc, "SELECT seq, seq DIV 100, seq MOD 100, CONCAT('event ', seq) FROM seq_0_to_19999",
					"ANALYZE TABLE events");
			assertRangeOverBothColumns(jdbc.queryForList("EXPLAIN " + query("MariaDB").sql(false),
					checkpoint("MariaDB")));
		}
	}

	@ParameterizedTest(name = "{0} batch, plan_cache_mode={1}")
	@MethodSource("chunkBatchesAndPlanModes")
	void onPostgresAChunksBatchIsBoundedByRowComparisonsInTheIndexConditionOfTheCompositeIndex(ChunkBatch batch,
			String planCacheMode) {
		try (TestSchema schema = TestDatabases.postgres().createSchema()) {
			createEvents(schema.jdbc(), "SELECT i, i / 100, i % 100, 'event ' || i FROM generate_series(0, 19999) i",
					"ANALYZE events");
			BatchQuery.ChunkBatchSql sql = batch.sql(query("PostgreSQL"));
			String plan = postgresPlan(schema, planCacheMode, sql.sql(), sql.parameters());
			// Both bounds in the index condition: the scan starts at the lower and stops at the end.
			assertIndexScanOfTheCompositeIndex(plan, "Index Cond: \\(\\(ROW\\(tenant_id, id\\) " + batch.lowerPattern()
					+ "\\) AND \\(ROW\\(tenant_id, id\\) < ROW\\((150|\\$\\d), (20|\\$\\d)\\)\\)\\)");
		}
	}

	@ParameterizedTest(name = "{0} batch")
	@EnumSource(ChunkBatch.class)
	void onMariaDbAChunksBatchIsOneRangeOverBothColumnsOfTheCompositeIndexReadingOnlyItsRows(ChunkBatch batch) {
		try (TestSchema schema = TestDatabases.mariadb().createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createEvents(jdbc, "SELECT seq, seq DIV 100, seq MOD 100, CONCAT('event ', seq) FROM seq_0_to_19999",
					"ANALYZE TABLE events");
			BatchQuery.ChunkBatchSql sql = batch.sql(query("MariaDB"));
			assertRangeOverBothColumns(jdbc.queryForList("EXPLAIN " + sql.sql(), sql.parameters()));
			// The index rows read, on the connection that ran the batch: the batch and its peek row
			// (a chunk's last batch, 19 rows before (150, 20), stops there rather than reading on).
			TransactionTemplate transaction = new TransactionTemplate(new JdbcTransactionManager(schema.dataSource()));
			long[] read = transaction.execute((status) -> {
				long before = indexRowsRead(jdbc);
				int rows = jdbc.queryForList(sql.sql(), sql.parameters()).size();
				return new long[] { rows, indexRowsRead(jdbc) - before };
			});
			assertThat(read[0]).isEqualTo(batch.rows);
			// Measured: the rows plus one (the first range's lookup).
			assertThat(read[1]).as("index rows read").isBetween((long) batch.rows, batch.rows + 3L);
		}
	}

	/** Table {@code events} with its composite index, filled by a query, then analyzed. */
	private static void createEvents(JdbcTemplate jdbc, String rows, String analyze) {
		jdbc.execute(CREATE_EVENTS);
		jdbc.execute(CREATE_INDEX);
		jdbc.execute("INSERT INTO events " + rows);
		jdbc.execute(analyze);
	}

	/** PostgreSQL's plan of a query with its parameters, in a transaction with a plan cache mode. */
	private static String postgresPlan(TestSchema schema, String planCacheMode, String sql, Object... parameters) {
		JdbcTemplate jdbc = schema.jdbc();
		TransactionTemplate transaction = new TransactionTemplate(new JdbcTransactionManager(schema.dataSource()));
		return transaction.execute((status) -> {
			jdbc.execute("SET LOCAL plan_cache_mode = " + planCacheMode);
			return String.join("\n", jdbc.queryForList("EXPLAIN " + sql, String.class, parameters));
		});
	}

	private static void assertIndexScanOfTheCompositeIndex(String plan, String indexCondition) {
		assertThat(plan).contains("Index Scan using events_tenant_id on events")
			.containsPattern(indexCondition)
			.doesNotContain("Filter")
			.doesNotContain("Sort")
			.doesNotContain("Seq Scan");
	}

	private static void assertRangeOverBothColumns(List<Map<String, Object>> plan) {
		assertThat(plan).singleElement().satisfies((row) -> {
			assertThat(row.get("type")).isEqualTo("range");
			assertThat(row.get("key")).isEqualTo("events_tenant_id");
			// Both INT columns (4 bytes each): the range starts at the lower tuple itself, not at the
			// first row of its tenant (and, for a chunk, ends at the upper one).
			assertThat(String.valueOf(row.get("key_len"))).isEqualTo("8");
			assertThat(String.valueOf(row.get("Extra"))).doesNotContain("filesort");
		});
	}

	/** {@code Handler_read_key} and {@code Handler_read_next} of this session. */
	private static long indexRowsRead(JdbcTemplate jdbc) {
		return jdbc.queryForList("SHOW SESSION STATUS WHERE Variable_name IN ('Handler_read_key', 'Handler_read_next')")
			.stream()
			.mapToLong((row) -> Long.parseLong(String.valueOf(row.get("Value"))))
			.sum();
	}

	static Stream<Arguments> chunkBatchesAndPlanModes() {
		return Stream.of(ChunkBatch.values())
			.flatMap((batch) -> Stream.of("force_custom_plan", "force_generic_plan")
				.map((mode) -> Arguments.of(batch, mode)));
	}

	/** Batches of 1,000 of the chunk from (100, 50) to (150, 20), 4,970 rows of 100 per tenant. */
	enum ChunkBatch {

		/** From the chunk's start. */
		FIRST(null, 1001, ">= ROW\\((100|\\$\\d), (50|\\$\\d)\\)"),

		/** After checkpoint (120, 30). */
		NEXT(KeyValue.of(120, 30), 1001, "> ROW\\((120|\\$\\d), (30|\\$\\d)\\)"),

		/** After checkpoint (150, 0): the chunk's last 19 rows. */
		LAST(KeyValue.of(150, 0), 19, "> ROW\\((150|\\$\\d), (0|\\$\\d)\\)");

		private final KeyValue after;

		/** The rows read, the peek row included. */
		private final int rows;

		private final String lowerPattern;

		ChunkBatch(KeyValue after, int rows, String lowerPattern) {
			this.after = after;
			this.rows = rows;
			this.lowerPattern = lowerPattern;
		}

		BatchQuery.ChunkBatchSql sql(BatchQuery query) {
			return query.chunkBatchSql(this.after, new KeyRange(KeyValue.of(100, 50), KeyValue.of(150, 20)), 1000);
		}

		String lowerPattern() {
			return this.lowerPattern;
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
