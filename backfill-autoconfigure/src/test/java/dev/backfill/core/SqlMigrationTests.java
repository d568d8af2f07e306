package dev.backfill.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.backfill.DataMigration;
import dev.backfill.DataMigrationConfig;
import dev.backfill.DataMigrationException;
import dev.backfill.MigrationListener;
import dev.backfill.SqlMigration;
import dev.backfill.autoconfigure.BackfillApplicationRunner;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@link SqlMigration}: one statement per batch with {@code :first}/{@code :last} or
 * {@code :keys}, committed with the batch's checkpoint, discovered, ordered and
 * configured like a {@code DataMigration}.
 */
class SqlMigrationTests {

	/** Rows whose {@code val} is 3 (one in ten) are not selected by the base queries below. */
	private static final String BASE_QUERY = "SELECT * FROM items WHERE val <> 3";

	/** Each database, with an update by key range and one by the batch's keys. */
	static Stream<Arguments> databasesAndUpdates() {
		return TestDatabases.all()
			.flatMap((database) -> Stream.of(
					Arguments.of(database, "UPDATE items SET migrated = migrated + 1 "
							+ "WHERE id BETWEEN :first AND :last AND val <> 3"),
					Arguments.of(database, "UPDATE items SET migrated = migrated + 1 WHERE id IN (:keys)")));
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("databasesAndUpdates")
	void updateRunsOncePerSelectedRowCountedInTrackingAndMetrics(TestDatabase database, String updateSql) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 1050);
			try (ConfigurableApplicationContext app = run(schema, Map.of("fillItems", new Sql(BASE_QUERY, updateSql)),
					"backfill.migrations.fill-items.batch-size=100")) {
				MeterRegistry registry = app.getBean(MeterRegistry.class);
				assertThat(registry.get(MicrometerMigrationListener.ROWS).tag("migration", "fillItems").counter()
					.count()).isEqualTo(945);
				assertThat(registry.get(MicrometerMigrationListener.BATCH).tag("migration", "fillItems")
					.tag("outcome", "success").timer().count()).isEqualTo(10);
			}
			// 945 selected rows in batches of 100 (the per-migration property): 9 full ones and 45 rows.
			assertThat(counts(jdbc, "val <> 3")).containsExactly(Map.entry(1, 945));
			assertThat(counts(jdbc, "val = 3")).containsExactly(Map.entry(0, 105));
			assertCompleted(jdbc, "fillItems", 945, 10, "1050");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void configOfASqlMigrationSetsItsTextKeyAndBatchSize(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE codes (code VARCHAR(20) PRIMARY KEY, migrated INT NOT NULL)");
			TestTables.insert(jdbc, "INSERT INTO codes (code, migrated) VALUES (?, 0)", 120,
					(i) -> new Object[] { String.format("c%03d", i) });
			Sql migration = new Sql("SELECT code FROM codes",
					"UPDATE codes SET migrated = migrated + 1 WHERE code BETWEEN :first AND :last",
					DataMigrationConfig.builder().keyColumn("code").batchSize(50).build());
			run(schema, Map.of("byCode", migration)).close();
			assertThat(jdbc.queryForList("SELECT DISTINCT migrated FROM codes", Integer.class)).containsExactly(1);
			assertCompleted(jdbc, "byCode", 120, 3, "c120");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void batchReadsOnlyTheKeyColumnOfTheBaseQuery(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 300);
			// Reading column every_val fails: its subquery returns more than one row. (H2 computes
			// every column of a derived table, read or not: there only the transfer is saved.)
			String baseQuery = "SELECT id, (SELECT val FROM items) AS every_val FROM items";
			Sql migration = new Sql(baseQuery, "UPDATE items SET migrated = migrated + 1 WHERE id IN (:keys)");
			run(schema, Map.of("keysOnly", migration), "backfill.batch-size=100").close();
			assertThat(counts(jdbc, "1 = 1")).containsExactly(Map.entry(1, 300));
			assertCompleted(jdbc, "keysOnly", 300, 3, "300");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void failingStatementFailsItsBatchAndAFixedRowResumesThereUpdatingEachRowOnce(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			jdbc.execute("ALTER TABLE items ADD CONSTRAINT items_migrated_once CHECK (migrated <= 1)");
			// Bad data in batch 3: its update would take row 250 to 2.
			jdbc.update("UPDATE items SET migrated = 1 WHERE id = 250");
			Sql migration = new Sql("SELECT id FROM items",
					"UPDATE items SET migrated = migrated + 1 WHERE id BETWEEN :first AND :last");
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> run(schema, Map.of("increment", migration), "backfill.batch-size=100").close())
				.withMessageContaining("Migration 'increment' failed in batch 3 (keys 201 to 300) after 1 attempt(s)")
				.satisfies((ex) -> assertThat(ex.getMessage()).as("the database's reason")
					.containsIgnoringCase("items_migrated_once"));
			Map<String, Object> failed = Tracking.row(jdbc, "increment");
			assertThat(failed.get("status")).isEqualTo("FAILED");
			assertThat(failed.get("last_key")).isEqualTo("200");
			assertThat(((Number) failed.get("batches")).longValue()).isEqualTo(2);
			assertThat(counts(jdbc, "id <= 200")).containsExactly(Map.entry(1, 200));
			assertThat(counts(jdbc, "id > 200 AND id <> 250")).containsExactly(Map.entry(0, 299));

			jdbc.update("UPDATE items SET migrated = 0 WHERE id = 250");
			// Were batches 1 and 2 run again, the constraint would fail them.
			run(schema, Map.of("increment", migration), "backfill.batch-size=100").close();
			assertThat(counts(jdbc, "1 = 1")).containsExactly(Map.entry(1, 500));
			assertCompleted(jdbc, "increment", 500, 5, "500");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	@Timeout(value = 60, unit = TimeUnit.SECONDS)
	void refusedCheckpointRollsBackTheUpdateOfItsBatch(TestDatabase database) throws InterruptedException {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 500);
			Sql migration = new Sql("SELECT id FROM items",
					"UPDATE items SET migrated = migrated + 1 WHERE id IN (:keys)");
			// Once batch 2 has committed, another instance takes the lease (from a connection of its own):
			// batch 3 runs its update, and its checkpoint is refused.
			MigrationListener takeLease = new MigrationListener() {
				private int batches;

				@Override
				public void batchSucceeded(String name, int rows, Duration duration) {
					if (++this.batches == 2) {
						jdbc.update("UPDATE backfill_migrations SET lease_owner = 'another-instance' WHERE name = ?",
								name);
					}
				}
			};
			Map<String, Object> beans = new LinkedHashMap<>();
			beans.put("increment", migration);
			beans.put("takeLease", takeLease);
			try (ConfigurableApplicationContext app = run(schema, beans, "backfill.batch-size=100",
					"backfill.mode=background")) {
				// Bounded by the test's timeout.
				app.getBean(BackfillApplicationRunner.class).awaitCompletion();
			}
			assertThat(counts(jdbc, "id <= 200")).containsExactly(Map.entry(1, 200));
			assertThat(counts(jdbc, "id > 200")).as("counters of batch 3 and after")
				.containsExactly(Map.entry(0, 300));
			Map<String, Object> tracking = Tracking.row(jdbc, "increment");
			assertThat(tracking.get("last_key")).isEqualTo("200");
			assertThat(((Number) tracking.get("batches")).longValue()).isEqualTo(2);
			assertThat(tracking.get("lease_owner")).isEqualTo("another-instance");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void sqlAndDataMigrationsRunInOneOrderByOrderThenName(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 300);
			// By name alone, "a" would run first; the SqlMigration's order puts it before.
			RecordingMigration reads = new RecordingMigration("SELECT id, migrated FROM items");
			List<Object> seen = Collections.synchronizedList(new ArrayList<>());
			reads.onBatch((rows) -> rows.forEach((row) -> seen.add(row.get("migrated"))));
			Sql writes = new OrderedSql("SELECT id FROM items", "UPDATE items SET migrated = 1 WHERE id IN (:keys)",
					Ordered.HIGHEST_PRECEDENCE);
			Map<String, Object> beans = new LinkedHashMap<>();
			beans.put("a", reads);
			beans.put("b", writes);
			run(schema, beans, "backfill.batch-size=100").close();
			assertThat(seen).hasSize(300).allSatisfy((migrated) -> assertThat(((Number) migrated).intValue()).isOne());
			assertThat(Tracking.row(jdbc, "a").get("status")).isEqualTo("COMPLETED");
			assertThat(Tracking.row(jdbc, "b").get("status")).isEqualTo("COMPLETED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void updateWithAnUnknownParameterOrNoneIsRefusedAtStartupNamingTheMigration(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 10);
			Sql typo = new Sql("SELECT id FROM items",
					"UPDATE items SET migrated = 1 WHERE id BETWEEN :first AND :lsat");
			assertThatException().isThrownBy(() -> run(schema, Map.of("typo", typo)))
				.withStackTraceContaining("SqlMigration 'typo' uses parameter(s) :lsat in its updateSql; only "
						+ ":first, :last and :keys are given");
			Sql everyRow = new Sql("SELECT id FROM items", "UPDATE items SET migrated = 1");
			assertThatException().isThrownBy(() -> run(schema, Map.of("everyRow", everyRow)))
				.withStackTraceContaining("SqlMigration 'everyRow' uses none of :first, :last and :keys in its "
						+ "updateSql, so every batch would run it on the whole table");
			assertThat(counts(jdbc, "1 = 1")).containsExactly(Map.entry(0, 10));
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM backfill_migrations", Integer.class)).isZero();
		}
	}

	@Test
	void sqlAndDataMigrationNamesShareOneNamespace() {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 5);
			Map<String, Object> beans = new LinkedHashMap<>();
			beans.put("fixItems", new RecordingMigration("SELECT id FROM items"));
			beans.put("fix-items", new Sql("SELECT id FROM items", "UPDATE items SET migrated = 1 WHERE id IN (:keys)"));
			assertThatException().isThrownBy(() -> run(schema, beans))
				.withStackTraceContaining("Migrations 'fixItems' and 'fix-items' have names that differ only in case "
						+ "or punctuation");
			assertThat(schema.jdbc().queryForObject("SELECT COUNT(*) FROM backfill_migrations", Integer.class))
				.isZero();
		}
	}

	@Test
	void beanThatIsBothKindsOfMigrationIsRefused() {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 5);
			assertThatException().isThrownBy(() -> run(schema, Map.of("both", new Both())))
				.withStackTraceContaining("Migration 'both' is both a DataMigration and a SqlMigration: implement one "
						+ "of the two");
			assertThat(counts(schema.jdbc(), "1 = 1")).containsExactly(Map.entry(0, 5));
		}
	}

	/** Starts an application whose beans are the given migrations and listeners, without throttle. */
	private static ConfigurableApplicationContext run(TestSchema schema, Map<String, ?> beans,
			String... properties) {
		String[] all = Stream.concat(Stream.of("backfill.throttle=0"), Stream.of(properties)).toArray(String[]::new);
		return TestApps.builder(schema, Map.of(), all)
			.initializers((context) -> beans.forEach(context.getBeanFactory()::registerSingleton))
			.run();
	}

	static void assertCompleted(JdbcTemplate jdbc, String migration, long rows, long batches,
			String lastKey) {
		Map<String, Object> row = Tracking.row(jdbc, migration);
		assertThat(row.get("status")).isEqualTo("COMPLETED");
		assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(rows);
		assertThat(((Number) row.get("batches")).longValue()).isEqualTo(batches);
		assertThat(row.get("last_key")).isEqualTo(lastKey);
	}

	/** How many rows matching a condition have each {@code migrated} value. */
	static Map<Integer, Integer> counts(JdbcTemplate jdbc, String condition) {
		Map<Integer, Integer> counts = new TreeMap<>();
		jdbc.query("SELECT migrated, COUNT(*) FROM items WHERE " + condition + " GROUP BY migrated",
				(RowCallbackHandler) (rs) -> counts.put(rs.getInt(1), rs.getInt(2)));
		return counts;
	}

	static class Sql implements SqlMigration {

		private final String baseQuery;

		private final String updateSql;

		private final DataMigrationConfig config;

		Sql(String baseQuery, String updateSql) {
			this(baseQuery, updateSql, DataMigrationConfig.DEFAULTS);
		}

		Sql(String baseQuery, String updateSql, DataMigrationConfig config) {
			this.baseQuery = baseQuery;
			this.updateSql = updateSql;
			this.config = config;
		}

		@Override
		public DataMigrationConfig config() {
			return this.config;
		}

		@Override
		public String baseQuery() {
			return this.baseQuery;
		}

		@Override
		public String updateSql() {
			return this.updateSql;
		}

	}

	static class OrderedSql extends Sql implements Ordered {

		private final int order;

		OrderedSql(String baseQuery, String updateSql, int order) {
			super(baseQuery, updateSql);
			this.order = order;
		}

		@Override
		public int getOrder() {
			return this.order;
		}

	}

	static class Both extends Sql implements DataMigration {

		Both() {
			super("SELECT id FROM items", "UPDATE items SET migrated = migrated + 1 WHERE id IN (:keys)");
		}

		@Override
		public void migrate(List<Map<String, Object>> rows) {
			TestApps.applicationJdbc().update("UPDATE items SET migrated = migrated + 1");
		}

	}

}
