package dev.backfill.resilience;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.UUID;

import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.internal.store.SqlDialect;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.Tracking;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test schema holding the fixture's tables ({@code fixture_rows} with ids 1..rows,
 * {@code fixture_batches}, and on MariaDB {@code fixture_connections}), with what the
 * tests read and do to it: the tracking row, the committed batches, the connections of
 * one application (to terminate them), and row-lock probes.
 * <p>
 * Each application gets a tag that marks its connections: on PostgreSQL its
 * {@code application_name}; on MariaDB, which shows no such thing to an unprivileged
 * user, every new connection of the application records its id and tag in
 * {@code fixture_connections}.
 */
final class FixtureDatabase implements AutoCloseable {

	private final TestSchema schema;

	private final JdbcTemplate jdbc;

	private final boolean postgres;

	private final int rows;

	private FixtureDatabase(TestSchema schema, int rows) {
		this.schema = schema;
		this.jdbc = schema.jdbc();
		this.postgres = "PostgreSQL".equals(schema.databaseName());
		this.rows = rows;
	}

	/**
	 * Creates a schema with the fixture's tables and {@code rows} rows to migrate.
	 * @param database the database server
	 * @param rows how many rows
	 * @return the schema, which closing drops
	 */
	static FixtureDatabase create(TestDatabase database, int rows) {
		TestSchema schema = database.createSchema();
		try {
			FixtureDatabase fixture = new FixtureDatabase(schema, rows);
			fixture.createTables();
			return fixture;
		}
		catch (RuntimeException | Error ex) {
			schema.close();
			throw ex;
		}
	}

	private void createTables() {
		this.jdbc.execute("CREATE TABLE fixture_rows (id BIGINT PRIMARY KEY, counter INT NOT NULL DEFAULT 0)");
		this.jdbc.execute("CREATE TABLE fixture_batches (owner VARCHAR(200) NOT NULL, first_id BIGINT NOT NULL, "
				+ "last_id BIGINT NOT NULL, row_count INT NOT NULL, started_us BIGINT NOT NULL, "
				+ "finished_us BIGINT NOT NULL)");
		if (!this.postgres) {
			this.jdbc.execute("CREATE TABLE fixture_connections (conn_id BIGINT NOT NULL, app VARCHAR(100) NOT NULL)");
		}
		// Multi-row inserts of generated numbers: fast on both databases.
		for (int from = 1; from <= this.rows; from += 1000) {
			StringJoiner values = new StringJoiner(", ");
			for (int id = from; id < from + 1000 && id <= this.rows; id++) {
				values.add("(" + id + ")");
			}
			this.jdbc.update("INSERT INTO fixture_rows (id) VALUES " + values);
		}
	}

	String databaseName() {
		return this.schema.databaseName();
	}

	int rows() {
		return this.rows;
	}

	JdbcTemplate jdbc() {
		return this.jdbc;
	}

	TestSchema schema() {
		return this.schema;
	}

	/** A new tag to mark an application's connections with. */
	static String newTag() {
		return "bf-fixture-" + UUID.randomUUID().toString().substring(0, 8);
	}

	/**
	 * Spring properties pointing an application at this schema with its connections marked
	 * by {@code tag}.
	 * @param tag the application's tag
	 * @return {@code key=value} pairs
	 */
	List<String> dataSourceProperties(String tag) {
		List<String> properties = new ArrayList<>();
		if (this.postgres) {
			properties.add("spring.datasource.url=" + this.schema.url() + "&ApplicationName=" + tag);
		}
		else {
			properties.add("spring.datasource.url=" + this.schema.url());
			properties.add("spring.datasource.hikari.connection-init-sql=INSERT INTO fixture_connections "
					+ "(conn_id, app) VALUES (CONNECTION_ID(), '" + tag + "')");
		}
		properties.add("spring.datasource.username=" + this.schema.username());
		properties.add("spring.datasource.password=" + this.schema.password());
		return properties;
	}

	/**
	 * Terminates, from the server, every open connection of the application tagged
	 * {@code tag}.
	 * @param tag the application's tag
	 * @return how many were terminated
	 */
	int terminateConnections(String tag) {
		int terminated = 0;
		if (this.postgres) {
			List<Integer> pids = this.jdbc.queryForList("SELECT pid FROM pg_stat_activity WHERE datname = "
					+ "current_database() AND usename = current_user AND application_name = ? "
					+ "AND pid <> pg_backend_pid()", Integer.class, tag);
			for (Integer pid : pids) {
				if (Boolean.TRUE.equals(this.jdbc.queryForObject("SELECT pg_terminate_backend(?)", Boolean.class, pid))) {
					terminated++;
				}
			}
			return terminated;
		}
		List<Long> ids = this.jdbc.queryForList("SELECT p.ID FROM information_schema.PROCESSLIST p "
				+ "JOIN fixture_connections c ON c.conn_id = p.ID WHERE c.app = ? AND p.ID <> CONNECTION_ID()",
				Long.class, tag);
		for (Long id : ids) {
			try {
				this.jdbc.execute("KILL CONNECTION " + id);
				terminated++;
			}
			catch (DataAccessException ex) {
				// Only a connection that ended by itself meanwhile may not be there to kill.
				if (!(ex.getMostSpecificCause() instanceof SQLException sql) || sql.getErrorCode() != 1094) {
					throw ex;
				}
			}
		}
		return terminated;
	}

	/**
	 * Whether another transaction holds a lock on a row of {@code fixture_rows}: tries to
	 * lock it without waiting, in a statement of its own that frees it at once.
	 * @param id the row's id
	 * @return {@code true} if the row is locked
	 */
	boolean rowLocked(long id) {
		try {
			this.jdbc.queryForList("SELECT id FROM fixture_rows WHERE id = ? FOR UPDATE NOWAIT", id);
			return false;
		}
		catch (DataAccessException ex) {
			// Spring leaves both uncategorized: PostgreSQL's lock_not_available, MariaDB's 1205.
			if (ex.getMostSpecificCause() instanceof SQLException sql
					&& ("55P03".equals(sql.getSQLState()) || sql.getErrorCode() == 1205)) {
				return true;
			}
			throw ex;
		}
	}

	/**
	 * Leaves the state an instance that ran the first batches and then vanished would
	 * leave: those batches committed, and its RUNNING tracking row with its lease.
	 * @param owner the vanished instance's owner id
	 * @param batches how many batches of {@code batchSize} it committed
	 * @param batchSize rows per batch
	 * @param leaseFromNow when its lease expires, from now (negative: expired)
	 */
	void leaveRunningRow(String owner, int batches, int batchSize, Duration leaseFromNow) {
		MigrationStore store = store();
		store.createTableIfMissing();
		long lastKey = (long) batches * batchSize;
		this.jdbc.update("UPDATE fixture_rows SET counter = 1 WHERE id <= ?", lastKey);
		long started = FixtureApplication.nowMicros() - 60_000_000;
		for (int batch = 0; batch < batches; batch++) {
			this.jdbc.update("INSERT INTO fixture_batches (owner, first_id, last_id, row_count, started_us, "
					+ "finished_us) VALUES (?, ?, ?, ?, ?, ?)", owner, (long) batch * batchSize + 1,
					(long) (batch + 1) * batchSize, batchSize, started + batch * 1000L, started + batch * 1000L + 500);
		}
		SqlDialect dialect = store.dialect();
		this.jdbc.update("INSERT INTO backfill_migrations (name, status, last_key, rows_processed, batches, started_at, "
				+ "updated_at, lease_owner, lease_expires_at) VALUES (?, 'RUNNING', ?, ?, ?, "
				+ dialect.currentTimestamp() + ", " + dialect.currentTimestamp() + ", ?, "
				+ dialect.currentTimestampPlusMillis() + ")", FixtureApplication.MIGRATION, Long.toString(lastKey),
				lastKey, batches, owner, leaseFromNow.toMillis());
	}

	/** The fixture migration's tracking table, through the test's own DataSource. */
	MigrationStore store() {
		return MigrationDatabase.of(this.schema.dataSource(), "backfill_migrations").store();
	}

	/** Lets the current lease expire at once, whoever holds it, as if its owner had not renewed it. */
	void expireLease() {
		int updated = this.jdbc.update("UPDATE backfill_migrations SET lease_expires_at = "
				+ store().dialect().currentTimestampPlusMillis() + " WHERE name = ?", -1000,
				FixtureApplication.MIGRATION);
		assertThat(updated).as("tracking rows whose lease was expired").isOne();
	}

	/**
	 * How many rows of an id range have each counter value.
	 * @param first the range's first id
	 * @param last the range's last id
	 * @return rows by counter value
	 */
	Map<Integer, Integer> counters(long first, long last) {
		Map<Integer, Integer> counts = new TreeMap<>();
		this.jdbc.query("SELECT counter, COUNT(*) FROM fixture_rows WHERE id BETWEEN ? AND ? GROUP BY counter",
				(RowCallbackHandler) (rs) -> counts.put(rs.getInt(1), rs.getInt(2)), first, last);
		return counts;
	}

	/** How many rows have been migrated (counter 1); the others must still be 0. */
	long migratedRows() {
		Map<String, Object> counters = this.jdbc.queryForMap("SELECT SUM(CASE WHEN counter = 1 THEN 1 ELSE 0 END) "
				+ "AS once, SUM(CASE WHEN counter NOT IN (0, 1) THEN 1 ELSE 0 END) AS other FROM fixture_rows");
		assertThat(((Number) counters.get("other")).longValue()).as("rows whose counter is neither 0 nor 1").isZero();
		return ((Number) counters.get("once")).longValue();
	}

	/** Whether an application created the tracking table yet. */
	boolean trackingTableExists() {
		String schema = this.postgres ? "current_schema()" : "DATABASE()";
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = "
				+ schema + " AND table_name = 'backfill_migrations'", Integer.class) > 0;
	}

	/** The tracking row of the fixture's migration, with lower-case column names. */
	Map<String, Object> tracking() {
		return Tracking.row(this.jdbc, FixtureApplication.MIGRATION);
	}

	/** The batches that committed, by first id. */
	List<Batch> committedBatches() {
		List<Batch> batches = this.jdbc.query(
				"SELECT owner, first_id, last_id, row_count, started_us, finished_us FROM fixture_batches",
				(rs, row) -> new Batch(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getInt(4), rs.getLong(5),
						rs.getLong(6)));
		batches.sort(Comparator.comparingLong(Batch::firstId));
		return batches;
	}

	/** Asserts that every row's counter is exactly 1 and the migration COMPLETED with all rows. */
	void assertEveryRowMigratedExactlyOnce() {
		Map<String, Object> counters = this.jdbc.queryForMap("SELECT COUNT(*) AS total, "
				+ "SUM(CASE WHEN counter = 1 THEN 1 ELSE 0 END) AS once, MAX(counter) AS highest FROM fixture_rows");
		assertThat(((Number) counters.get("total")).intValue()).isEqualTo(this.rows);
		assertThat(((Number) counters.get("once")).intValue()).as("rows whose counter is exactly 1 (highest %s)",
				counters.get("highest")).isEqualTo(this.rows);
		Map<String, Object> tracking = tracking();
		assertThat(tracking.get("status")).isEqualTo("COMPLETED");
		assertThat(((Number) tracking.get("rows_processed")).longValue()).isEqualTo(this.rows);
		assertThat(tracking.get("last_key")).isEqualTo(Integer.toString(this.rows));
		assertThat(tracking.get("lease_owner")).isNull();
	}

	/**
	 * Asserts that the committed batches cover ids 1..rows once each, with no range
	 * committed twice, and that batches of different owners never ran at the same time.
	 * @return the committed batches
	 */
	List<Batch> assertBatchesCommittedOnceAndOwnersNeverOverlapped() {
		List<Batch> batches = committedBatches();
		long expectedFirst = 1;
		for (Batch batch : batches) {
			assertThat(batch.firstId()).as("first id of the batch after %d", expectedFirst - 1)
				.isEqualTo(expectedFirst);
			assertThat(batch.lastId() - batch.firstId() + 1).isEqualTo(batch.rowCount());
			expectedFirst = batch.lastId() + 1;
		}
		assertThat(expectedFirst - 1).as("last id of the last committed batch").isEqualTo(this.rows);
		assertThat(((Number) tracking().get("batches")).longValue()).isEqualTo(batches.size());
		for (int i = 0; i < batches.size(); i++) {
			for (int j = i + 1; j < batches.size(); j++) {
				Batch a = batches.get(i);
				Batch b = batches.get(j);
				if (!a.owner().equals(b.owner())) {
					assertThat(a.startedUs() < b.finishedUs() && b.startedUs() < a.finishedUs())
						.as("batches %s and %s of different owners overlap in time", a, b)
						.isFalse();
				}
			}
		}
		return batches;
	}

	@Override
	public void close() {
		this.schema.close();
	}

	/** One committed batch as {@code fixture_batches} recorded it. */
	record Batch(String owner, long firstId, long lastId, int rowCount, long startedUs, long finishedUs) {

	}

}
