package dev.backfill.core;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.backfill.DataMigrationConfig;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** Keys of several types, and base queries beyond a single table. */
class KeysAndQueriesTests {

	private static final int ROWS = 1_050;

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void migratesTableKeyedByUuidResumingFromItsCheckpoint(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			boolean mariaDb = database.name().equals("MariaDB");
			jdbc.execute("CREATE TABLE docs (uid UUID PRIMARY KEY, body VARCHAR(20))");
			List<UUID> uuids = IntStream.range(0, ROWS).mapToObj((i) -> UUID.randomUUID()).toList();
			TestTables.insert(jdbc, "INSERT INTO docs (uid, body) VALUES (?, 'x')", ROWS,
					(i) -> new Object[] { mariaDb ? uuids.get(i - 1).toString() : uuids.get(i - 1) });
			assertMigratesEveryKeyOnceAcrossAFailure(schema, "SELECT uid, body FROM docs", "uid",
					uuids.stream().map(UUID::toString).collect(Collectors.toSet()));
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void migratesTableKeyedByTextResumingFromItsCheckpoint(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE codes (code VARCHAR(40) PRIMARY KEY, body VARCHAR(20))");
			// Mixed case and varying length, so that the database's collation orders them.
			TestTables.insert(jdbc, "INSERT INTO codes (code, body) VALUES (?, 'x')", ROWS,
					(i) -> new Object[] { ((i % 2 == 0) ? "Key-" : "key-") + Integer.toString(i * 7919, 36) });
			List<String> codes = jdbc.queryForList("SELECT code FROM codes", String.class);
			assertMigratesEveryKeyOnceAcrossAFailure(schema, "SELECT code, body FROM codes", "code",
					Set.copyOf(codes));
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void baseQueryWithJoinAndFilterMigratesOnlyMatchingRows(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 2_000);
			jdbc.execute("CREATE TABLE owners (item_id BIGINT PRIMARY KEY, active INT NOT NULL)");
			TestTables.insert(jdbc, "INSERT INTO owners (item_id, active) VALUES (?, ?)", 2_000,
					(i) -> new Object[] { (long) i, (i % 3 == 0) ? 1 : 0 });
			RecordingMigration migration = new RecordingMigration(
					"SELECT i.id, i.val, o.active FROM items i JOIN owners o ON o.item_id = i.id "
							+ "WHERE o.active = 1 AND i.val <> 5");
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("activeItems", migration),
					"backfill.batch-size=50", "backfill.throttle=0")) {
				Set<String> expected = IntStream.rangeClosed(1, 2_000)
					.filter((i) -> i % 3 == 0 && i % 10 != 5)
					.mapToObj(Integer::toString)
					.collect(Collectors.toSet());
				assertThat(migration.callsPerKey().keySet()).isEqualTo(expected);
				assertThat(migration.callsPerKey().values()).containsOnly(1);
			}
			assertThat(Tracking.row(jdbc, "activeItems").get("status")).isEqualTo("COMPLETED");
		}
	}

	private static void assertMigratesEveryKeyOnceAcrossAFailure(TestSchema schema, String baseQuery, String key,
			Set<String> allKeys) {
		DataMigrationConfig config = DataMigrationConfig.builder().keyColumn(key).batchSize(100).build();
		RecordingMigration failing = new RecordingMigration(baseQuery, config).failAtBatch(4);
		try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("byKey", failing),
				"backfill.throttle=0", "backfill.mode=background")) {
			awaitStatus(schema.jdbc(), "byKey", "FAILED");
		}
		Map<String, Object> failed = Tracking.row(schema.jdbc(), "byKey");
		List<List<String>> firstBatches = failing.batches();
		assertThat(failed.get("last_key")).isEqualTo(firstBatches.get(2).get(99));
		assertThat(((Number) failed.get("batches")).longValue()).isEqualTo(3);

		RecordingMigration resumed = new RecordingMigration(baseQuery, config);
		try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("byKey", resumed),
				"backfill.throttle=0")) {
			Set<String> before = firstBatches.subList(0, 3).stream().flatMap(List::stream).collect(Collectors.toSet());
			assertThat(resumed.callsPerKey().keySet()).doesNotContainAnyElementsOf(before);
			Set<String> all = new java.util.HashSet<>(before);
			all.addAll(resumed.callsPerKey().keySet());
			assertThat(all).isEqualTo(allKeys);
			assertThat(resumed.callsPerKey().values()).containsOnly(1);
		}
		Map<String, Object> row = Tracking.row(schema.jdbc(), "byKey");
		assertThat(row.get("status")).isEqualTo("COMPLETED");
		assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(allKeys.size());
	}

	static void awaitStatus(JdbcTemplate jdbc, String migration, String status) {
		org.awaitility.Awaitility.await()
			.atMost(java.time.Duration.ofSeconds(30))
			.until(() -> jdbc.queryForList("SELECT status FROM backfill_migrations WHERE name = ?", String.class,
					migration)
				.contains(status));
	}

}
