package dev.backfill.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import dev.backfill.DataMigrationConfig;
import dev.backfill.DataMigrationException;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Composite keys, {@code keyColumns("tenant_id", "id")}: batches in the order of both
 * columns, the rows of one tenant crossing batch boundaries, each row migrated once across
 * a failure and a resume from a checkpoint holding both values; duplicate tuples and NULL
 * parts refused before a row is skipped.
 */
class CompositeKeyTests {

	/** Tenants in the same order under every collation, with text a checkpoint must escape. */
	private static final List<Object> TEXT_TENANTS = List.of("a, inc.", "b's", "c \"quoted\", inc.", "d\\e", "e]",
			"f");

	private static final List<Object> INTEGER_TENANTS = List.of(1L, 2L, 3L, 4L, 5L, 6L);

	private static final int IDS_PER_TENANT = 7;

	private static final DataMigrationConfig BATCHES_OF_FIVE = DataMigrationConfig.builder()
		.keyColumns("tenant_id", "id")
		.batchSize(5)
		.build();

	/**
	 * Each database with text tenants and with integer ones: the key range of batch 5, the
	 * checkpoint after batch 4 and the last one.
	 */
	static Stream<Arguments> databasesAndTenants() {
		return TestDatabases.all()
			.flatMap((database) -> Stream.of(
					Arguments.of(database, "VARCHAR(40)", TEXT_TENANTS, "('c \"quoted\", inc.', 7) to ('d\\e', 4)",
							"[\"c \\\"quoted\\\", inc.\",6]", "[\"f\",7]"),
					Arguments.of(database, "BIGINT", INTEGER_TENANTS, "(3, 7) to (4, 4)", "[3,6]", "[6,7]")));
	}

	@ParameterizedTest(name = "{0}: tenant_id {1}")
	@MethodSource("databasesAndTenants")
	void rowsOfATenantCrossBatchBoundariesAndAFailedRunResumesFromBothValues(TestDatabase database,
			String tenantType, List<Object> tenants, String batch5Keys, String checkpointAfterBatch4,
			String lastCheckpoint) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createKeyedOrders(jdbc, tenantType, tenants);
			String baseQuery = "SELECT tenant_id, id FROM orders";
			// Row 23 of 42 is in batch 5: migrate() counts its rows in the database, then throws.
			String poison = tenants.get(3) + ":2";
			RecordingMigration failing = new RecordingMigration(baseQuery, BATCHES_OF_FIVE)
				.onBatch((rows) -> countMigrated(rows, poison));
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("byTenant", failing), "backfill.throttle=0"))
				.withMessageContaining("Migration 'byTenant' failed in batch 5 (keys " + batch5Keys + ")");
			List<List<String>> batches = failing.batches();
			// Ordered by both columns: a tenant's last rows and the next one's first rows share a batch.
			assertThat(batches.get(1)).containsExactly(key(tenants, 0, 6), key(tenants, 0, 7), key(tenants, 1, 1),
					key(tenants, 1, 2), key(tenants, 1, 3));
			assertThat(batches).hasSize(5);
			Map<String, Object> failed = Tracking.row(jdbc, "byTenant");
			assertThat(failed.get("status")).isEqualTo("FAILED");
			assertThat(((Number) failed.get("batches")).longValue()).isEqualTo(4);
			assertThat(failed.get("last_key")).isEqualTo(checkpointAfterBatch4);
			// Batch 5 rolled back with its counts.
			assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM orders", Integer.class)).isEqualTo(20);

			RecordingMigration resumed = new RecordingMigration(baseQuery, BATCHES_OF_FIVE)
				.onBatch((rows) -> countMigrated(rows, null));
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("byTenant", resumed),
					"backfill.throttle=0")) {
				assertThat(resumed.batches().get(0).get(0)).isEqualTo(key(tenants, 2, 7));
				Set<String> before = new HashSet<>();
				batches.subList(0, 4).forEach(before::addAll);
				assertThat(resumed.callsPerKey().keySet()).doesNotContainAnyElementsOf(before).hasSize(22);
			}
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM orders WHERE migrated = 1", Integer.class))
				.isEqualTo(42);
			Map<String, Object> row = Tracking.row(jdbc, "byTenant");
			assertThat(row.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(42);
			assertThat(((Number) row.get("batches")).longValue()).isEqualTo(9);
			assertThat(row.get("last_key")).isEqualTo(lastCheckpoint);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void tupleSharedAcrossTheEndOfABatchIsRefusedNamingTheTuple(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createOrders(jdbc, "tenant_id BIGINT NOT NULL, id BIGINT NOT NULL, migrated INT NOT NULL",
					INTEGER_TENANTS);
			// (1, 5) twice: the last row of batch 1 and the peek row after it.
			jdbc.update("INSERT INTO orders (tenant_id, id, migrated) VALUES (1, 5, 0)");
			RecordingMigration migration = new RecordingMigration("SELECT tenant_id, id FROM orders",
					BATCHES_OF_FIVE);
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("dups", migration), "backfill.throttle=0"))
				.withMessageContaining("Key (tenant_id, id) of migration 'dups' is not unique: value (1, 5) occurs "
						+ "more than once (in batch 1)");
			assertThat(migration.batches()).isEmpty();
			UniqueNotNullKeysTests.assertFailedAfter(jdbc, "dups", 0);
		}
	}

	/**
	 * {@code (1, 'A')} and {@code (1, 'a')} are one key under MariaDB's case-insensitive
	 * collation, so {@code (tenant_id, code) > (1, 'A')} would skip the second: the
	 * database's count of the batch's last key refuses it.
	 */
	@Test
	@Timeout(60)
	void tuplesThatOnlyTheCollationOfATextPartMakesOneAreRefused() {
		try (TestSchema schema = TestDatabases.mariadb().createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE tags (tenant_id INT NOT NULL, code VARCHAR(20) CHARACTER SET utf8mb4 "
					+ "COLLATE utf8mb4_general_ci NOT NULL)");
			jdbc.update("INSERT INTO tags (tenant_id, code) VALUES (1, 'A'), (1, 'a'), (1, 'b')");
			RecordingMigration migration = new RecordingMigration("SELECT tenant_id, code FROM tags",
					DataMigrationConfig.builder().keyColumns("tenant_id", "code").batchSize(1).build());
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("tags", migration), "backfill.throttle=0"))
				.withMessageMatching("(?s).*Key \\(tenant_id, code\\) of migration 'tags' is not unique: value "
						+ "\\(1, '[Aa]'\\) occurs more than once \\(in batch 1\\).*");
			assertThat(migration.batches()).isEmpty();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void nullInEitherPartIsRefusedBeforeTheFirstBatch(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createOrders(jdbc, "tenant_id BIGINT, id BIGINT, migrated INT NOT NULL", INTEGER_TENANTS);
			// After the other rows in key order, and a NULL first part wherever NULLs sort.
			for (String nullRow : List.of("(9, NULL, 0)", "(NULL, 1, 0)")) {
				jdbc.update("DELETE FROM orders WHERE tenant_id IS NULL OR id IS NULL");
				jdbc.update("INSERT INTO orders (tenant_id, id, migrated) VALUES " + nullRow);
				String name = nullRow.startsWith("(9") ? "nullId" : "nullTenant";
				RecordingMigration migration = new RecordingMigration("SELECT tenant_id, id FROM orders",
						BATCHES_OF_FIVE);
				assertThatExceptionOfType(DataMigrationException.class)
					.isThrownBy(() -> TestApps.run(schema, Map.of(name, migration), "backfill.throttle=0"))
					.withMessageContaining("Migration '" + name + "' has rows whose key (tenant_id, id) has a NULL "
							+ "part; backfill needs a unique, not-null key to walk the table without skipping rows");
				assertThat(migration.batches()).as(nullRow).isEmpty();
				UniqueNotNullKeysTests.assertFailedAfter(jdbc, name, 0);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void sqlMigrationUpdatesTheBatchsKeysAsRowValuesEachRowOnce(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createKeyedOrders(jdbc, "VARCHAR(40)", TEXT_TENANTS);
			SqlMigrationTests.Sql migration = new SqlMigrationTests.Sql("SELECT tenant_id, id FROM orders",
					"UPDATE orders SET migrated = migrated + 1 WHERE (tenant_id, id) IN (:keys)", BATCHES_OF_FIVE);
			try (ConfigurableApplicationContext app = TestApps.builder(schema, Map.of(), "backfill.throttle=0")
				.initializers((context) -> context.getBeanFactory().registerSingleton("rowValues", migration))
				.run()) {
				assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM orders WHERE migrated = 1", Integer.class))
					.isEqualTo(42);
				assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM orders WHERE migrated <> 1", Integer.class))
					.isZero();
			}
			Map<String, Object> row = Tracking.row(jdbc, "rowValues");
			assertThat(row.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) row.get("batches")).longValue()).isEqualTo(9);
			assertThat(row.get("last_key")).isEqualTo("[\"f\",7]");
		}
	}

	/** Refused as well in chunks, where composite keys are otherwise allowed. */
	@ParameterizedTest(name = "parallelism {0}")
	@ValueSource(ints = { 1, 3 })
	void sqlMigrationWithFirstAndLastOnACompositeKeyIsRefusedAtStartup(int parallelism) {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createKeyedOrders(jdbc, "BIGINT", INTEGER_TENANTS);
			SqlMigrationTests.Sql migration = new SqlMigrationTests.Sql("SELECT tenant_id, id FROM orders",
					"UPDATE orders SET migrated = 1 WHERE tenant_id BETWEEN :first AND :last",
					DataMigrationConfig.builder().keyColumns("tenant_id", "id").batchSize(5).parallelism(parallelism)
						.build());
			assertThatException()
				.isThrownBy(() -> TestApps.builder(schema, Map.of(), "backfill.throttle=0")
					.initializers((context) -> context.getBeanFactory().registerSingleton("range", migration))
					.run())
				.withStackTraceContaining("SqlMigration 'range' uses :first or :last in its updateSql, but its key "
						+ "(tenant_id, id) is composite");
			assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM orders", Integer.class)).isZero();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void withParallelismAboveOneTheTuplesAreSplitIntoChunksAtSampledTuplesInTheirTextForm(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createKeyedOrders(jdbc, "VARCHAR(40)", TEXT_TENANTS);
			RecordingMigration migration = new RecordingMigration("SELECT tenant_id, id FROM orders",
					DataMigrationConfig.builder().keyColumns("tenant_id", "id").batchSize(2).parallelism(3).build())
				.onBatch((rows) -> countMigrated(rows, null));
			TestApps.run(schema, Map.of("inChunks", migration), "backfill.throttle=0").close();
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM orders WHERE migrated = 1", Integer.class))
				.isEqualTo(42);
			assertThat(migration.callsPerKey()).hasSize(42).allSatisfy((key, calls) -> assertThat(calls).isOne());
			assertThat(Tracking.row(jdbc, "inChunks").get("status")).isEqualTo("COMPLETED");
			// 12 chunks aimed at, 42 tuples: every 4th tuple a boundary, 11 chunks.
			List<String> ends = jdbc.queryForList("SELECT range_end FROM backfill_migrations_chunks "
					+ "WHERE migration = 'inChunks' ORDER BY chunk", String.class);
			assertThat(ends).hasSize(11)
				.startsWith("[\"a, inc.\",4]", "[\"b's\",1]", "[\"b's\",5]", "[\"c \\\"quoted\\\", inc.\",2]",
						"[\"c \\\"quoted\\\", inc.\",6]");
			assertThat(ends.subList(9, 11)).containsExactly("[\"f\",5]", null);
			List<String> starts = jdbc.queryForList("SELECT range_start FROM backfill_migrations_chunks "
					+ "WHERE migration = 'inChunks' ORDER BY chunk", String.class);
			assertThat(starts.subList(1, 11)).isEqualTo(ends.subList(0, 10));
			assertThat(starts.get(0)).isNull();
		}
	}

	/** Table {@code orders}, keyed by {@code (tenant_id, id)}, with 7 rows per tenant. */
	private static void createKeyedOrders(JdbcTemplate jdbc, String tenantType, List<Object> tenants) {
		createOrders(jdbc, "tenant_id " + tenantType + " NOT NULL, id BIGINT NOT NULL, migrated INT NOT NULL, "
				+ "PRIMARY KEY (tenant_id, id)", tenants);
	}

	/** Table {@code orders} with these columns, and 7 rows per tenant. */
	private static void createOrders(JdbcTemplate jdbc, String columns, List<Object> tenants) {
		jdbc.execute("CREATE TABLE orders (" + columns + ")");
		List<Object[]> rows = new ArrayList<>();
		for (Object tenant : tenants) {
			for (long id = 1; id <= IDS_PER_TENANT; id++) {
				rows.add(new Object[] { tenant, id });
			}
		}
		jdbc.batchUpdate("INSERT INTO orders (tenant_id, id, migrated) VALUES (?, ?, 0)", rows);
	}

	/**
	 * Counts a batch's rows as migrated, through the application's DataSource (so in the
	 * batch's transaction), then throws if the batch holds the poison row.
	 */
	private static void countMigrated(List<Map<String, Object>> rows, String poison) {
		for (Map<String, Object> row : rows) {
			TestApps.applicationJdbc()
				.update("UPDATE orders SET migrated = migrated + 1 WHERE tenant_id = ? AND id = ?",
						row.get("tenant_id"), row.get("id"));
			if ((row.get("tenant_id") + ":" + row.get("id")).equals(poison)) {
				throw new IllegalStateException("cannot migrate row " + poison);
			}
		}
	}

	/** The key RecordingMigration records for a tenant's row. */
	private static String key(List<Object> tenants, int tenant, int id) {
		return tenants.get(tenant) + ":" + id;
	}

}
