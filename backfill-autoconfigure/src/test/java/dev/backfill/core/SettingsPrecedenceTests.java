package dev.backfill.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import dev.backfill.BatchSizeMode;
import dev.backfill.DataMigration;
import dev.backfill.DataMigrationConfig;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * For every per-migration setting, {@code backfill.migrations.<name>.*} beats the
 * migration's {@code config()}, which beats {@code backfill.*}, which beats the default,
 * as the running migration experiences it: the batch sizes {@code migrate} is given, the
 * pause between batches, whether {@code migrate} runs in the batch's transaction (and a
 * failed attempt's writes roll back), and the statement and lock timeouts the database
 * session has while the batch runs.
 */
@ExtendWith(OutputCaptureExtension.class)
class SettingsPrecedenceTests {

	/** Each level's values differ from the level below, so a lost override shows. */
	private static final Level PROPERTY = new Level(30, Duration.ofMillis(60), true, Duration.ofSeconds(5),
			Duration.ofSeconds(3));

	private static final Level CONFIG = new Level(20, Duration.ofMillis(40), false, Duration.ofSeconds(6),
			Duration.ofSeconds(4));

	/** {@link #CONFIG} but transactional, unlike the global level. */
	private static final Level CONFIG_OVER_GLOBAL = new Level(20, Duration.ofMillis(40), true, Duration.ofSeconds(6),
			Duration.ofSeconds(4));

	private static final Level GLOBAL = new Level(40, Duration.ofMillis(20), false, Duration.ofSeconds(7),
			Duration.ofSeconds(8));

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void perMigrationPropertyBeatsConfigWhichBeatsGlobalPropertyForEverySetting(TestDatabase database,
			CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = prepare(schema);
			String limitsSql = sessionLimitsSql(database);
			String rows = " FROM items WHERE id <= 120";
			ObservingMigration byProperty = new ObservingMigration("byProperty", limitsSql, rows, CONFIG.config());
			ObservingMigration byConfig = new ObservingMigration("byConfig", limitsSql, rows,
					CONFIG_OVER_GLOBAL.config());
			ObservingMigration byGlobal = new ObservingMigration("byGlobal", limitsSql, rows,
					DataMigrationConfig.DEFAULTS);
			try (ConfigurableApplicationContext app = TestApps.run(schema,
					Map.of("byProperty", byProperty, "byConfig", byConfig, "byGlobal", byGlobal),
					"backfill.retry.initial-backoff=10ms", "backfill.batch-size=40", "backfill.throttle=20ms",
					"backfill.transactional=false", "backfill.statement-timeout=7s", "backfill.lock-timeout=8s",
					"backfill.migrations.byProperty.batch-size=30", "backfill.migrations.byProperty.throttle=60ms",
					"backfill.migrations.byProperty.transactional=true",
					"backfill.migrations.byProperty.statement-timeout=5s",
					"backfill.migrations.byProperty.lock-timeout=3s")) {
				assertEffective(database, jdbc, output, byProperty, PROPERTY, 120);
				assertEffective(database, jdbc, output, byConfig, CONFIG_OVER_GLOBAL, 120);
				assertEffective(database, jdbc, output, byGlobal, GLOBAL, 120);
			}
		}
	}

	/**
	 * Parallelism, as the chunk table shows it: a migration is split into four chunks per
	 * worker; with the default, 1, it runs without chunks.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void perMigrationPropertyBeatsConfigWhichBeatsGlobalPropertyForParallelism(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = prepare(schema);
			DataMigrationConfig two = DataMigrationConfig.builder().parallelism(2).build();
			RecordingMigration byProperty = new RecordingMigration("SELECT id FROM items", two);
			RecordingMigration byConfig = new RecordingMigration("SELECT id FROM items", two);
			RecordingMigration byGlobal = new RecordingMigration("SELECT id FROM items");
			TestApps.run(schema, Map.of("byProperty", byProperty, "byConfig", byConfig, "byGlobal", byGlobal),
					"backfill.throttle=0ms", "backfill.batch-size=100", "backfill.parallelism=5",
					"backfill.migrations.byProperty.parallelism=3").close();
			assertThat(chunksPerMigration(jdbc)).containsOnly(Map.entry("byProperty", 12), Map.entry("byConfig", 8),
					Map.entry("byGlobal", 20));
			assertThat(byProperty.callsPerKey()).hasSize(1001).allSatisfy((key, calls) -> assertThat(calls).isOne());
		}
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = prepare(schema);
			RecordingMigration byDefault = new RecordingMigration("SELECT id FROM items");
			TestApps.run(schema, Map.of("byDefault", byDefault), "backfill.throttle=0ms").close();
			assertThat(chunksPerMigration(jdbc)).isEmpty();
			assertThat(byDefault.callsPerKey()).hasSize(1001).allSatisfy((key, calls) -> assertThat(calls).isOne());
		}
	}

	private static Map<String, Integer> chunksPerMigration(JdbcTemplate jdbc) {
		Map<String, Integer> chunks = new java.util.TreeMap<>();
		jdbc.query("SELECT migration, COUNT(*) FROM backfill_migrations_chunks GROUP BY migration",
				(RowCallbackHandler) (rs) -> chunks.put(rs.getString(1), rs.getInt(2)));
		return chunks;
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void globalPropertiesFallBackToTheirDefaults(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = prepare(schema);
			String limitsSql = sessionLimitsSql(database);
			// The database's own limits, outside any batch.
			String databaseDefaults = jdbc.queryForObject("SELECT " + limitsSql, String.class);
			ObservingMigration byDefault = new ObservingMigration("byDefault", limitsSql, " FROM items",
					DataMigrationConfig.DEFAULTS);
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("byDefault", byDefault),
					"backfill.retry.initial-backoff=10ms")) {
				// Defaults: 1000 rows per batch, 100 ms throttle, transactional, no timeouts.
				assertBatchesAndThrottle(output, byDefault, 1000, Duration.ofMillis(100), 1001);
				assertTransactional(jdbc, byDefault, true);
				assertThat(byDefault.calls()).extracting(Call::selectLimits).containsOnly(databaseDefaults);
				assertThat(byDefault.calls()).extracting(Call::migrateLimits).containsOnly(databaseDefaults);
			}
		}
	}

	/**
	 * The batch size settings: with the minimum equal to the maximum, an adaptive size is
	 * known whatever the batches take; the start line shows the mode, range and target.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void perMigrationPropertyBeatsConfigWhichBeatsGlobalPropertyForTheBatchSizeSettings(TestDatabase database,
			CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 120);
			DataMigrationConfig adaptive20 = DataMigrationConfig.builder()
				.batchSizeMode(BatchSizeMode.ADAPTIVE)
				.batchSize(25)
				.minBatchSize(20)
				.maxBatchSize(20)
				.targetBatchDuration(Duration.ofMillis(600))
				.build();
			DataMigrationConfig fixed25 = DataMigrationConfig.builder()
				.batchSizeMode(BatchSizeMode.FIXED)
				.batchSize(25)
				.minBatchSize(20)
				.maxBatchSize(20)
				.targetBatchDuration(Duration.ofMillis(600))
				.build();
			RecordingMigration byProperty = new RecordingMigration("SELECT id FROM items", fixed25);
			RecordingMigration byConfig = new RecordingMigration("SELECT id FROM items", adaptive20);
			RecordingMigration byConfigFixed = new RecordingMigration("SELECT id FROM items", fixed25);
			RecordingMigration byGlobal = new RecordingMigration("SELECT id FROM items");
			try (ConfigurableApplicationContext app = TestApps.run(schema,
					Map.of("byProperty", byProperty, "byConfig", byConfig, "byConfigFixed", byConfigFixed,
							"byGlobal", byGlobal),
					"backfill.throttle=0ms", "backfill.batch-size=50", "backfill.batch-size-mode=adaptive",
					"backfill.min-batch-size=40", "backfill.max-batch-size=40", "backfill.target-batch-duration=800ms",
					"backfill.migrations.byProperty.batch-size-mode=adaptive",
					"backfill.migrations.byProperty.min-batch-size=30",
					"backfill.migrations.byProperty.max-batch-size=30",
					"backfill.migrations.byProperty.target-batch-duration=700ms")) {
				assertSizes(byProperty, 30, 120);
				assertThat(output).contains("'byProperty' starting (batch size 30 adaptive, 30 to 30 rows aiming at "
						+ "700 ms a batch,");
				assertSizes(byConfig, 20, 120);
				assertThat(output).contains("'byConfig' starting (batch size 20 adaptive, 20 to 20 rows aiming at "
						+ "600 ms a batch,");
				assertSizes(byConfigFixed, 25, 120);
				assertThat(output).contains("'byConfigFixed' starting (batch size 25, throttle");
				assertSizes(byGlobal, 40, 120);
				assertThat(output).contains("'byGlobal' starting (batch size 40 adaptive, 40 to 40 rows aiming at "
						+ "800 ms a batch,");
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void batchSizeSettingsFallBackToTheirDefaults(TestDatabase database, CapturedOutput output) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 10);
			RecordingMigration byDefault = new RecordingMigration("SELECT id FROM items");
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("byDefault", byDefault),
					"backfill.migrations.byDefault.batch-size-mode=adaptive")) {
				assertThat(output).contains("'byDefault' starting (batch size 1000 adaptive, 100 to 10000 rows "
						+ "aiming at 500 ms a batch, throttle 100 ms");
			}
		}
	}

	private static void assertSizes(RecordingMigration migration, int batchSize, int rows) {
		List<Integer> sizes = new ArrayList<>();
		for (int left = rows; left > 0; left -= batchSize) {
			sizes.add(Math.min(left, batchSize));
		}
		assertThat(migration.batches()).extracting(List::size).isEqualTo(sizes);
	}

	private static JdbcTemplate prepare(TestSchema schema) {
		JdbcTemplate jdbc = schema.jdbc();
		TestTables.createItems(jdbc, 1001);
		jdbc.execute("CREATE TABLE marks (migration VARCHAR(50) NOT NULL)");
		return jdbc;
	}

	private static void assertEffective(TestDatabase database, JdbcTemplate jdbc, CapturedOutput output,
			ObservingMigration migration, Level expected, int rows) {
		assertBatchesAndThrottle(output, migration, expected.batchSize(), expected.throttle(), rows);
		assertTransactional(jdbc, migration, expected.transactional());
		String limits = expectedLimits(database, expected.statementTimeout(), expected.lockTimeout());
		assertThat(migration.calls()).extracting(Call::selectLimits).as(migration.name).containsOnly(limits);
		if (expected.transactional()) {
			// Statements in migrate share the batch's transaction, so its limits hold for them.
			assertThat(migration.calls()).extracting(Call::migrateLimits).as(migration.name).containsOnly(limits);
		}
	}

	private static void assertBatchesAndThrottle(CapturedOutput output, ObservingMigration migration, int batchSize,
			Duration throttle, int rows) {
		List<Call> succeeded = migration.succeeded();
		List<Integer> sizes = new ArrayList<>();
		for (int left = rows; left > 0; left -= batchSize) {
			sizes.add(Math.min(left, batchSize));
		}
		assertThat(succeeded).extracting(Call::rows).as(migration.name).isEqualTo(sizes);
		assertThat(output).contains("Backfill migration '" + migration.name + "' starting (batch size " + batchSize
				+ ", throttle " + throttle.toMillis() + " ms");
		for (int i = 1; i < succeeded.size(); i++) {
			long gapNanos = succeeded.get(i).startedNanos() - succeeded.get(i - 1).startedNanos();
			assertThat(Duration.ofNanos(gapNanos)).as(migration.name + " pause before batch " + (i + 1))
				.isGreaterThanOrEqualTo(throttle);
		}
	}

	/**
	 * Whether {@code migrate} ran in a transaction, and whether the failed first attempt's
	 * write rolled back (one mark per batch) or stayed (one more).
	 */
	private static void assertTransactional(JdbcTemplate jdbc, ObservingMigration migration, boolean transactional) {
		assertThat(migration.calls()).extracting(Call::inTransaction).as(migration.name).containsOnly(transactional);
		int marks = jdbc.queryForObject("SELECT COUNT(*) FROM marks WHERE migration = ?", Integer.class,
				migration.name);
		int batches = migration.succeeded().size();
		assertThat(marks).as(migration.name + " marks").isEqualTo(transactional ? batches : batches + 1);
	}

	/** One SQL expression of the session's statement and lock timeouts. */
	private static String sessionLimitsSql(TestDatabase database) {
		return switch (database.name()) {
			case "PostgreSQL" -> "current_setting('statement_timeout') || '/' || current_setting('lock_timeout')";
			case "MariaDB" -> "CONCAT(@@SESSION.max_statement_time, '/', @@SESSION.innodb_lock_wait_timeout)";
			default -> "CONCAT((SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS "
					+ "WHERE SETTING_NAME = 'QUERY_TIMEOUT'), '/', LOCK_TIMEOUT())";
		};
	}

	/** How the database shows whole-second timeouts. */
	private static String expectedLimits(TestDatabase database, Duration statement, Duration lock) {
		return switch (database.name()) {
			case "PostgreSQL" -> statement.toSeconds() + "s/" + lock.toSeconds() + "s";
			case "MariaDB" -> statement.toSeconds() + ".000000/" + lock.toSeconds();
			default -> statement.toMillis() + "/" + lock.toMillis();
		};
	}

	/** The values of one level of settings. */
	private record Level(int batchSize, Duration throttle, boolean transactional, Duration statementTimeout,
			Duration lockTimeout) {

		DataMigrationConfig config() {
			return DataMigrationConfig.builder()
				.batchSize(this.batchSize)
				.throttle(this.throttle)
				.transactional(this.transactional)
				.statementTimeout(this.statementTimeout)
				.lockTimeout(this.lockTimeout)
				.build();
		}

	}

	/**
	 * One call of {@code migrate}: its rows, whether it ran in a transaction, the session
	 * limits the batch's {@code SELECT} saw and those a statement in {@code migrate} saw.
	 */
	private record Call(int rows, boolean inTransaction, String selectLimits, String migrateLimits,
			long startedNanos) {
	}

	/**
	 * Records each call; its batch's {@code SELECT} reads the session's limits as a column.
	 * Each call writes a mark; the first call then fails transiently, so it is retried.
	 */
	private static final class ObservingMigration implements DataMigration {

		private final String name;

		private final String limitsSql;

		private final String baseQuery;

		private final DataMigrationConfig config;

		private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

		ObservingMigration(String name, String limitsSql, String rows, DataMigrationConfig config) {
			this.name = name;
			this.limitsSql = limitsSql;
			this.baseQuery = "SELECT id, " + limitsSql + " AS session_limits" + rows;
			this.config = config;
		}

		@Override
		public String baseQuery() {
			return this.baseQuery;
		}

		@Override
		public DataMigrationConfig config() {
			return this.config;
		}

		@Override
		public void migrate(List<Map<String, Object>> rows) {
			long started = System.nanoTime();
			JdbcTemplate jdbc = TestApps.applicationJdbc();
			this.calls.add(new Call(rows.size(), TransactionSynchronizationManager.isActualTransactionActive(),
					String.valueOf(rows.get(0).get("session_limits")),
					jdbc.queryForObject("SELECT " + this.limitsSql, String.class), started));
			jdbc.update("INSERT INTO marks (migration) VALUES (?)", this.name);
			if (this.calls.size() == 1) {
				throw new TransientDataAccessResourceException("first attempt fails");
			}
		}

		List<Call> calls() {
			synchronized (this.calls) {
				return List.copyOf(this.calls);
			}
		}

		/** Every call but the failed first one. */
		List<Call> succeeded() {
			List<Call> all = calls();
			return all.subList(1, all.size());
		}

	}

}
