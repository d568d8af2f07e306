package dev.backfill.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Chunk claims: a chunk with a live lease is never claimed again, one whose lease expired
 * is, a completed one never is, nothing is claimed while the migration is not running,
 * and two claimers racing for a chunk get different ones, with {@code SKIP LOCKED} and
 * with H2's conditioned {@code UPDATE} alone.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ChunkClaimTests {

	private static final Duration LEASE = Duration.ofMinutes(1);

	private static final String MIGRATION = "m";

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aLiveLeaseKeepsAChunkAnExpiredOneFreesItACompletedChunkIsNeverClaimed(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			ChunkStore chunks = split(schema, 4);
			assertThat(claim(chunks, "w1")).hasValue(0);
			assertThat(claim(chunks, "w2")).hasValue(1);
			SqlDialect dialect = MigrationDatabase.dialectOf(schema.dataSource());
			schema.jdbc().update("UPDATE backfill_migrations_chunks SET lease_expires_at = "
					+ dialect.currentTimestampPlusMillis() + " WHERE chunk = 0", -1000);
			assertThat(claim(chunks, "w3")).hasValue(0);
			assertThat(chunks.find(MIGRATION, 0).orElseThrow().leaseOwner()).isEqualTo("w3");
			// w1's lease passed to w3: its checkpoint is refused, w3's is not.
			assertThat(chunks.saveCheckpoint(MIGRATION, 0, "w1", new Checkpoint("5", 5, 1), 0, LEASE, false)).isFalse();
			assertThat(chunks.saveCheckpoint(MIGRATION, 0, "w3", new Checkpoint("5", 5, 1), 0, LEASE, true)).isTrue();
			assertThat(claim(chunks, "w4")).hasValue(2);
			assertThat(claim(chunks, "w5")).hasValue(3);
			schema.jdbc().update("UPDATE backfill_migrations_chunks SET lease_expires_at = "
					+ dialect.currentTimestampPlusMillis(), -1000);
			// Chunk 0 completed: of the expired leases only chunks 1 to 3 are claimable.
			assertThat(claim(chunks, "w6")).hasValue(1);
			schema.jdbc().update("UPDATE backfill_migrations SET status = 'PAUSED' WHERE name = ?", MIGRATION);
			assertThat(claim(chunks, "w7")).isEmpty();
			assertThat(chunks.saveCheckpoint(MIGRATION, 1, "w6", new Checkpoint("9", 1, 1), 0, LEASE, false))
				.as("checkpoint of a paused migration's chunk")
				.isFalse();
			assertThat(chunks.find(MIGRATION, 0).orElseThrow().isCompleted()).isTrue();
			assertThat(((Number) schema.jdbc()
				.queryForObject("SELECT rows_processed FROM backfill_migrations WHERE name = ?", Long.class,
						MIGRATION)).longValue()).as("rows of the completed chunk added to the migration's").isEqualTo(5);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void aClaimPassesOverAChunkAnotherClaimerHasLockedWithoutWaiting(TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			ChunkStore chunks = split(schema, 4);
			DataSource other = schema.newDataSource(1);
			try (Connection connection = other.getConnection()) {
				connection.setAutoCommit(false);
				// Another claimer between its SELECT ... FOR UPDATE SKIP LOCKED and its UPDATE.
				try (PreparedStatement select = connection.prepareStatement("SELECT chunk FROM "
						+ "backfill_migrations_chunks WHERE migration = ? ORDER BY chunk LIMIT 1 FOR UPDATE SKIP LOCKED")) {
					select.setString(1, MIGRATION);
					try (ResultSet rs = select.executeQuery()) {
						assertThat(rs.next()).isTrue();
						assertThat(rs.getInt(1)).isZero();
					}
				}
				Optional<Integer> claimed = CompletableFuture.supplyAsync(() -> claim(chunks, "w2"))
					.get(10, TimeUnit.SECONDS);
				assertThat(claimed).hasValue(1);
				connection.rollback();
			}
			finally {
				((AutoCloseable) other).close();
			}
			assertThat(claim(chunks, "w3")).hasValue(0);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aClaimRacingAnUncommittedClaimOfTheSameChunkTakesTheNextOne(TestDatabase database) throws Exception {
		try (TestSchema schema = database.createSchema()) {
			ChunkStore chunks = split(schema, 4);
			SqlDialect dialect = MigrationDatabase.dialectOf(schema.dataSource());
			DataSource other = schema.newDataSource(1);
			try (Connection connection = other.getConnection()) {
				connection.setAutoCommit(false);
				// The other claimer's conditioned UPDATE of chunk 0, not yet committed.
				try (PreparedStatement claim = connection.prepareStatement("UPDATE backfill_migrations_chunks SET "
						+ "status = 'RUNNING', lease_owner = 'a', lease_expires_at = "
						+ dialect.currentTimestampPlusMillis() + " WHERE migration = ? AND chunk = 0 "
						+ "AND (lease_owner IS NULL OR lease_expires_at < " + dialect.currentTimestamp() + ")")) {
					claim.setLong(1, LEASE.toMillis());
					claim.setString(2, MIGRATION);
					assertThat(claim.executeUpdate()).isOne();
				}
				CompletableFuture<Optional<Integer>> racing = CompletableFuture.supplyAsync(() -> claim(chunks, "b"));
				// Whether b has reached chunk 0's row lock yet or not, it must not get chunk 0.
				Thread.sleep(300);
				connection.commit();
				assertThat(racing.get(30, TimeUnit.SECONDS)).hasValue(1);
			}
			finally {
				((AutoCloseable) other).close();
			}
			assertThat(chunks.findAll(MIGRATION)).extracting(ChunkState::leaseOwner)
				.containsExactly("a", "b", null, null);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void onlyTheHolderOfTheMigrationsLeaseSplitsIt(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			MigrationDatabase db = MigrationDatabase.of(schema.dataSource(), "backfill_migrations");
			db.store().createTableIfMissing();
			db.store().findOrCreate(MIGRATION);
			assertThat(db.store().tryAcquire(MIGRATION, "holder", LEASE)).isTrue();
			assertThat(db.chunks().create(MIGRATION, "other", List.of(ChunkRange.ALL), null)).isFalse();
			assertThat(db.chunks().exists(MIGRATION)).as("chunks of a refused split").isFalse();
			assertThat(db.store().find(MIGRATION).orElseThrow().leaseOwner()).isEqualTo("holder");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aFailureAtTheEndOfAPassAnotherInstanceHasEndedFailsNothing(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			ChunkStore chunks = split(schema, 2);
			// Another instance ended pass 1 and started pass 2 (a sweep).
			schema.jdbc().update("UPDATE backfill_migrations SET pass = 2 WHERE name = ?", MIGRATION);
			assertThat(chunks.failPass(MIGRATION, 1, "count failed")).isFalse();
			assertThat(schema.jdbc().queryForObject("SELECT status FROM backfill_migrations WHERE name = ?",
					String.class, MIGRATION)).isEqualTo("RUNNING");
			assertThat(chunks.failPass(MIGRATION, 2, "count failed")).isTrue();
			assertThat(schema.jdbc().queryForObject("SELECT status FROM backfill_migrations WHERE name = ?",
					String.class, MIGRATION)).isEqualTo("FAILED");
		}
	}

	private static ChunkStore split(TestSchema schema, int count) {
		MigrationDatabase database = MigrationDatabase.of(schema.dataSource(), "backfill_migrations");
		MigrationStore store = database.store();
		store.createTableIfMissing();
		store.findOrCreate(MIGRATION);
		assertThat(store.tryAcquire(MIGRATION, "splitter", LEASE)).isTrue();
		List<ChunkRange> ranges = new java.util.ArrayList<>();
		for (int i = 0; i < count; i++) {
			ranges.add(new ChunkRange((i == 0) ? null : Integer.toString(i * 10),
					(i == count - 1) ? null : Integer.toString((i + 1) * 10)));
		}
		assertThat(database.chunks().create(MIGRATION, "splitter", ranges, null)).isTrue();
		assertThat(store.find(MIGRATION).orElseThrow().leaseOwner()).isEqualTo(ChunkStore.CHUNK_WORKERS);
		// The split is done once: the lease passed to the chunk workers.
		assertThat(database.chunks().create(MIGRATION, "splitter", ranges, null)).isFalse();
		return database.chunks();
	}

	private static Optional<Integer> claim(ChunkStore chunks, String worker) {
		return chunks.claim(MIGRATION, worker, LEASE).map(ChunkState::chunk);
	}

}
