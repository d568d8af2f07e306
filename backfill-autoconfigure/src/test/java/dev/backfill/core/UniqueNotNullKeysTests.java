package dev.backfill.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import dev.backfill.DataMigrationConfig;
import dev.backfill.DataMigrationException;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A key that is not unique or has NULLs would make the keyset walk skip rows: the
 * migration fails, naming the migration, the column and the value, before any row is
 * skipped; and the batch that finds no row after it completes the migration.
 */
class UniqueNotNullKeysTests {

	private static final String NULL_KEYS = "has rows whose key column 'id' is NULL; backfill needs a unique, "
			+ "not-null key to walk the table without skipping rows";

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void keyWithTenRowsPerValueFailsInTheFirstBatchWithNothingCommitted(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE grouped (id BIGINT PRIMARY KEY, grp INT NOT NULL, migrated INT NOT NULL)");
			TestTables.insert(jdbc, "INSERT INTO grouped (id, grp, migrated) VALUES (?, ?, 0)", 100,
					(i) -> new Object[] { (long) i, (i - 1) / 10 });
			RecordingMigration migration = new RecordingMigration("SELECT id, grp FROM grouped",
					DataMigrationConfig.builder().keyColumn("grp").batchSize(15).build())
				.onBatch((rows) -> TestApps.applicationJdbc().update("UPDATE grouped SET migrated = 1"));
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("byGroup", migration), "backfill.throttle=0"))
				.withMessageContaining("Key column 'grp' of migration 'byGroup' is not unique: value 0 occurs more "
						+ "than once (in batch 1); backfill needs a unique, not-null key to walk the table without "
						+ "skipping rows");
			assertThat(migration.batches()).isEmpty();
			assertThat(jdbc.queryForObject("SELECT SUM(migrated) FROM grouped", Integer.class)).isZero();
			Map<String, Object> row = assertFailedAfter(jdbc, "byGroup", 0);
			assertThat((String) row.get("last_error")).contains("value 0 occurs more than once");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void keySharedAcrossTheEndOfALaterBatchFailsThatBatchKeepingTheOnesBefore(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE items (id BIGINT NOT NULL, val INT NOT NULL)");
			TestTables.insert(jdbc, "INSERT INTO items (id, val) VALUES (?, 0)", 30, (i) -> new Object[] { (long) i });
			// Key 20 twice: the last row of batch 2 and the first one after it.
			jdbc.update("INSERT INTO items (id, val) VALUES (20, 1)");
			RecordingMigration migration = new RecordingMigration("SELECT id, val FROM items",
					DataMigrationConfig.builder().batchSize(10).build());
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("twenty", migration), "backfill.throttle=0"))
				.withMessageContaining("Key column 'id' of migration 'twenty' is not unique: value 20 occurs more "
						+ "than once (in batch 2)");
			assertThat(migration.batches()).hasSize(1);
			Map<String, Object> row = assertFailedAfter(jdbc, "twenty", 1);
			assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(10);
			assertThat(row.get("last_key")).isEqualTo("10");
		}
	}

	/**
	 * 'A' and 'a' are two keys for PostgreSQL and H2 but one for MariaDB's case-insensitive
	 * default collation, whose {@code key > 'A'} would skip 'a': the database decides.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void textKeysDifferingOnlyInCaseAreOneKeyExactlyWhenTheCollationSaysSo(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			boolean mariaDb = database.name().equals("MariaDB");
			jdbc.execute("CREATE TABLE tags (tag VARCHAR(20) "
					+ (mariaDb ? "CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci " : "") + "NOT NULL)");
			jdbc.batchUpdate("INSERT INTO tags (tag) VALUES (?)",
					List.of(new Object[] { "A" }, new Object[] { "a" }, new Object[] { "b" }));
			RecordingMigration migration = new RecordingMigration("SELECT tag FROM tags",
					DataMigrationConfig.builder().keyColumn("tag").batchSize(1).build());
			if (mariaDb) {
				assertThatExceptionOfType(DataMigrationException.class)
					.isThrownBy(() -> TestApps.run(schema, Map.of("tags", migration), "backfill.throttle=0"))
					.withMessageMatching("(?s).*Key column 'tag' of migration 'tags' is not unique: value [Aa] "
							+ "occurs more than once \\(in batch 1\\).*");
				assertThat(migration.batches()).isEmpty();
				assertThat(Tracking.row(jdbc, "tags").get("status")).isEqualTo("FAILED");
			}
			else {
				try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("tags", migration),
						"backfill.throttle=0")) {
					assertThat(migration.callsPerKey()).isEqualTo(Map.of("A", 1, "a", 1, "b", 1));
				}
				assertThat(Tracking.row(jdbc, "tags").get("status")).isEqualTo("COMPLETED");
			}
		}
	}

	/**
	 * MariaDB's Unicode collation makes 'ß' and 'ss' one key, though no folding of case or
	 * accents in Java would: {@code key > 'ss'} would skip 'ß'. The database decides.
	 */
	@Test
	@Timeout(60)
	void textKeysThatOnlyTheCollationMakesOneAreRefused() {
		try (TestSchema schema = TestDatabases.mariadb().createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE words (word VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci "
					+ "NOT NULL)");
			jdbc.batchUpdate("INSERT INTO words (word) VALUES (?)",
					List.of(new Object[] { "ss" }, new Object[] { "\u00df" }, new Object[] { "x" }));
			RecordingMigration migration = new RecordingMigration("SELECT word FROM words",
					DataMigrationConfig.builder().keyColumn("word").batchSize(1).build());
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("words", migration), "backfill.throttle=0"))
				.withMessageMatching("(?s).*Key column 'word' of migration 'words' is not unique: value (ss|\u00df) "
						+ "occurs more than once \\(in batch 1\\).*");
			assertThat(migration.batches()).isEmpty();
			assertThat(Tracking.row(jdbc, "words").get("status")).isEqualTo("FAILED");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void nullKeysAreRefusedBeforeTheFirstBatchWhateverTheBatchSize(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createItemsWithNullableKey(jdbc, 20);
			jdbc.update("INSERT INTO items (id, val) VALUES (NULL, 1)");
			jdbc.update("INSERT INTO items (id, val) VALUES (NULL, 2)");
			for (int batchSize : new int[] { 3, 1000 }) {
				String name = "nullKeysInBatchesOf" + batchSize;
				RecordingMigration migration = new RecordingMigration("SELECT id, val FROM items",
						DataMigrationConfig.builder().batchSize(batchSize).build());
				assertThatExceptionOfType(DataMigrationException.class)
					.isThrownBy(() -> TestApps.run(schema, Map.of(name, migration), "backfill.throttle=0"))
					.withMessageContaining("Migration '" + name + "' " + NULL_KEYS);
				assertThat(migration.batches()).as("batch size %d", batchSize).isEmpty();
				Map<String, Object> row = assertFailedAfter(jdbc, name, 0);
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void nullKeyInsertedDuringTheRunStopsItFromCompleting(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			createItemsWithNullableKey(jdbc, 30);
			RecordingMigration migration = new RecordingMigration("SELECT id, val FROM items",
					DataMigrationConfig.builder().batchSize(10).build());
			// Committed on a connection of its own while batch 1 runs, so after the check before it.
			migration.onBatch((rows) -> {
				if (migration.batches().size() == 1) {
					jdbc.update("INSERT INTO items (id, val) VALUES (NULL, 7)");
				}
			});
			assertThatExceptionOfType(DataMigrationException.class)
				.isThrownBy(() -> TestApps.run(schema, Map.of("lateNull", migration), "backfill.throttle=0"))
				.withMessageContaining("Migration 'lateNull' " + NULL_KEYS);
			// The last batch ran, found the NULL key before completing and rolled back.
			assertThat(migration.batches()).hasSize(3);
			Map<String, Object> row = assertFailedAfter(jdbc, "lateNull", 2);
			assertThat(row.get("last_key")).isEqualTo("20");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void batchWithNoRowAfterItCompletesTheMigrationInItsOwnTransaction(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			TestTables.createItems(jdbc, 30);
			List<String> statusAfterEachCommit = Collections.synchronizedList(new ArrayList<>());
			RecordingMigration migration = new RecordingMigration("SELECT id, val FROM items",
					DataMigrationConfig.builder().batchSize(10).build())
				.onBatch((rows) -> TransactionSynchronizationManager
					.registerSynchronization(new TransactionSynchronization() {
						@Override
						public void afterCommit() {
							statusAfterEachCommit.add((String) Tracking.row(jdbc, "exact").get("status"));
						}
					}));
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("exact", migration),
					"backfill.throttle=0")) {
				assertThat(migration.batches()).extracting(List::size).containsExactly(10, 10, 10);
				assertThat(migration.callsPerKey()).hasSize(30).allSatisfy((key, calls) -> assertThat(calls).isOne());
			}
			assertThat(statusAfterEachCommit).containsExactly("RUNNING", "RUNNING", "COMPLETED");
			Map<String, Object> row = Tracking.row(jdbc, "exact");
			assertThat(((Number) row.get("batches")).longValue()).isEqualTo(3);
			assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(30);
			assertThat(row.get("last_key")).isEqualTo("30");
		}
	}

	/** Asserts the migration is FAILED with that many batches committed, and returns its row. */
	static Map<String, Object> assertFailedAfter(JdbcTemplate jdbc, String migration, long batches) {
		Map<String, Object> row = Tracking.row(jdbc, migration);
		assertThat(row.get("status")).isEqualTo("FAILED");
		assertThat(((Number) row.get("batches")).longValue()).isEqualTo(batches);
		return row;
	}

	private static void createItemsWithNullableKey(JdbcTemplate jdbc, int rows) {
		jdbc.execute("CREATE TABLE items (id BIGINT, val INT NOT NULL)");
		TestTables.insert(jdbc, "INSERT INTO items (id, val) VALUES (?, 0)", rows, (i) -> new Object[] { (long) i });
	}

}
