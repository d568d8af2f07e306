package dev.backfill.internal.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import javax.sql.DataSource;

import org.jspecify.annotations.Nullable;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The chunk table of one DataSource ({@code <tracking table>_chunks}): the chunks of the
 * migrations run with {@code parallelism} above 1, each with its key range, its own
 * checkpoint, counts and recent rate, and the lease of the worker running it.
 * <p>
 * As in the tracking table, every write that moves a chunk forward is conditioned on the
 * worker's lease and on the batch count it last saw, and a checkpoint is also refused
 * unless the migration's row is {@code RUNNING} (a paused or failed migration takes no
 * more batches). While its chunks run, the migration's row is {@code RUNNING} with
 * {@link #CHUNK_WORKERS} as its lease owner and no expiry, so that an instance running it
 * as one keyset walk never takes it over.
 *
 * @since 0.1.0
 */
public final class ChunkStore {

	/** The tracking row's lease owner while a migration runs in chunks. */
	public static final String CHUNK_WORKERS = "(chunk workers)";

	private static final String COLUMNS = "migration, chunk, range_start, range_end, status, last_key, "
			+ "rows_processed, batches, rows_per_second, lease_owner, lease_expires_at, last_error, throttled_millis, "
			+ "throttle_reason";

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final SqlDialect dialect;

	private final String table;

	private final String trackingTable;

	private final String selectSql;

	private final String existsSql;

	private final String insertSql;

	private final String startSql;

	private final String resetFailedSql;

	private final String parentStatusSql;

	private final String resumeSql;

	private final String deleteSql;

	private final String candidatesSql;

	private final String claimSql;

	private final String workToJoinSql;

	private final String renewSql;

	private final String checkpointSql;

	private final String addToMigrationSql;

	private final String completeSql;

	private final String releaseSql;

	private final String failSql;

	private final String failMigrationSql;

	private final String failPassSql;

	private final String completeMigrationSql;

	private final String nextPassSql;

	/**
	 * Creates the store of the chunk table named after a tracking table.
	 * @param dataSource the DataSource holding both tables
	 * @param dialect its dialect
	 * @param trackingTable the tracking table's name; the chunk table is
	 * {@code <trackingTable>_chunks}
	 */
	public ChunkStore(DataSource dataSource, SqlDialect dialect, String trackingTable) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.transactions = new TransactionTemplate(new JdbcTransactionManager(dataSource));
		this.dialect = dialect;
		this.trackingTable = MigrationStore.requirePlainIdentifier(trackingTable);
		this.table = trackingTable + "_chunks";
		String now = dialect.currentTimestamp();
		String leaseUntil = dialect.currentTimestampPlusMillis();
		String t = this.trackingTable;
		String c = this.table;
		this.selectSql = "SELECT " + COLUMNS + " FROM " + c + " WHERE migration = ?";
		this.existsSql = "SELECT COUNT(*) FROM " + c + " WHERE migration = ?";
		this.insertSql = "INSERT INTO " + c + " (migration, chunk, range_start, range_end, status, last_key, "
				+ "rows_processed, batches, updated_at) VALUES (?, ?, ?, ?, 'PENDING', ?, 0, 0, " + now + ")";
		this.startSql = "UPDATE " + t + " SET status = 'RUNNING', last_key = NULL, last_error = NULL, lease_owner = '"
				+ CHUNK_WORKERS + "', lease_expires_at = NULL, started_at = COALESCE(started_at, " + now
				+ "), updated_at = " + now + " WHERE name = ? AND lease_owner = ? AND status = 'RUNNING'";
		this.resetFailedSql = "UPDATE " + c + " SET status = 'PENDING', last_error = NULL, updated_at = " + now
				+ " WHERE migration = ? AND status = 'FAILED'";
		this.parentStatusSql = "SELECT status FROM " + t + " WHERE name = ?";
		this.resumeSql = "UPDATE " + t + " SET status = 'RUNNING', updated_at = " + now + " WHERE name = ? AND "
				+ "status = 'PENDING' AND lease_owner = '" + CHUNK_WORKERS + "'";
		this.deleteSql = "DELETE FROM " + c + " WHERE migration = ?";
		String claimable = "status IN ('PENDING', 'RUNNING') AND (lease_owner IS NULL OR lease_expires_at < " + now
				+ ")";
		this.candidatesSql = "SELECT chunk FROM " + c + " WHERE migration = ? AND " + claimable + " ORDER BY chunk";
		// Conditioned like the candidates' query, so that a claim is right without the lock.
		this.claimSql = "UPDATE " + c + " SET status = 'RUNNING', lease_owner = ?, lease_expires_at = " + leaseUntil
				+ ", rows_per_second = ?, updated_at = " + now + " WHERE migration = ? AND chunk = ? AND " + claimable;
		// Every chunk completed a lease ago or more: an instance ending the pass (counting the rows
		// left, splitting the next pass) would have marked the migration by then.
		this.workToJoinSql = "SELECT COUNT(CASE WHEN " + claimable + " THEN 1 END), COUNT(CASE WHEN status <> '"
				+ ChunkState.COMPLETED + "' OR completed_at > " + leaseUntil + " THEN 1 END) FROM " + c
				+ " WHERE migration = ?";
		this.renewSql = "UPDATE " + c + " SET lease_expires_at = " + leaseUntil
				+ " WHERE migration = ? AND chunk = ? AND lease_owner = ?";
		this.checkpointSql = checkpointSql("?", "?");
		this.addToMigrationSql = "UPDATE " + t + " SET rows_processed = rows_processed + ?, batches = batches + ?, "
				+ "throttled_millis = COALESCE(throttled_millis, 0) + ?, "
				+ "updated_at = " + now + " WHERE name = ? AND status = 'RUNNING'";
		this.completeSql = "UPDATE " + c + " SET status = 'COMPLETED', last_key = ?, rows_processed = ?, batches = ?, "
				+ "throttled_millis = ?, throttle_reason = NULL, updated_at = " + now + ", completed_at = " + now
				+ ", last_error = NULL, lease_owner = NULL, lease_expires_at = NULL"
				+ " WHERE migration = ? AND chunk = ? AND lease_owner = ? AND batches = ?";
		this.releaseSql = "UPDATE " + c + " SET status = 'PENDING', lease_owner = NULL, lease_expires_at = NULL, "
				+ "updated_at = " + now + " WHERE migration = ? AND chunk = ? AND lease_owner = ?";
		this.failSql = "UPDATE " + c + " SET status = 'FAILED', last_error = ?, lease_owner = NULL, "
				+ "lease_expires_at = NULL, updated_at = " + now + " WHERE migration = ? AND chunk = ? AND lease_owner = ?";
		// A pause stands: a paused migration keeps its status and its chunk workers as lease owner,
		// so that resuming it restarts its chunks (the failed one with them); the error is kept.
		this.failMigrationSql = "UPDATE " + t + " SET status = CASE WHEN status = 'PAUSED' THEN status ELSE 'FAILED' "
				+ "END, last_error = ?, lease_owner = CASE WHEN status = 'PAUSED' THEN lease_owner ELSE NULL END, "
				+ "lease_expires_at = NULL, updated_at = " + now + " WHERE name = ? AND status IN ('RUNNING', 'PAUSED')";
		this.failPassSql = this.failMigrationSql + " AND lease_owner = '" + CHUNK_WORKERS + "' AND COALESCE(pass, 1) = ?";
		// Fenced on the pass, a column of the row itself: PostgreSQL rechecks it against the row a
		// racing instance's end of the pass committed, where the NOT EXISTS keeps its old snapshot.
		String passEnds = " WHERE name = ? AND status = 'RUNNING' AND lease_owner = '" + CHUNK_WORKERS
				+ "' AND COALESCE(pass, 1) = ? AND NOT EXISTS (SELECT 1 FROM " + c
				+ " WHERE migration = ? AND status <> 'COMPLETED')";
		this.completeMigrationSql = "UPDATE " + t + " SET status = 'COMPLETED', remaining_rows = ?, completed_at = "
				+ now + ", updated_at = " + now + ", last_error = NULL, lease_owner = NULL, lease_expires_at = NULL"
				+ passEnds;
		this.nextPassSql = "UPDATE " + t + " SET pass = ?, remaining_rows = ?, updated_at = " + now + passEnds;
	}

	/**
	 * The chunk table's name.
	 * @return {@code <tracking table>_chunks}
	 */
	public String table() {
		return this.table;
	}

	/**
	 * Reads a migration's chunks.
	 * @param migration the migration
	 * @return its chunks in key order; empty if it was never split
	 */
	public List<ChunkState> findAll(String migration) {
		return this.jdbc.query(this.selectSql + " ORDER BY chunk", ChunkStore::mapChunk, migration);
	}

	/**
	 * Reads one chunk.
	 * @param migration the migration
	 * @param chunk the chunk's number
	 * @return the chunk, or empty if there is none of that number
	 */
	public Optional<ChunkState> find(String migration, int chunk) {
		return this.jdbc.query(this.selectSql + " AND chunk = ?", ChunkStore::mapChunk, migration, chunk)
			.stream()
			.findFirst();
	}

	/**
	 * Whether a migration has been split into chunks.
	 * @param migration the migration
	 * @return whether it has chunks
	 */
	public boolean exists(String migration) {
		Long count = this.jdbc.queryForObject(this.existsSql, Long.class, migration);
		return count != null && count > 0;
	}

	/**
	 * Splits a migration: in one transaction, inserts its chunks and marks its row
	 * {@code RUNNING} by the chunk workers, provided the caller still holds the
	 * migration's lease and it is still {@code RUNNING}, so that of instances starting at
	 * once exactly one splits, and a pause that landed meanwhile stands.
	 * @param migration the migration
	 * @param owner the owner of the migration's lease
	 * @param ranges the chunks' ranges, in key order
	 * @param resumeAfter the migration's checkpoint before the split (where a run as one
	 * keyset walk stopped), which becomes the first chunk's; {@code null} for none
	 * @return whether the chunks were created (false: the lease had passed on, or the
	 * migration was paused meanwhile)
	 */
	public boolean create(String migration, String owner, List<ChunkRange> ranges, @Nullable String resumeAfter) {
		try {
			return Boolean.TRUE.equals(this.transactions.execute((status) -> insert(migration, owner, ranges,
					resumeAfter, status)));
		}
		catch (DuplicateKeyException ex) {
			// Split already, by an instance whose lease this one took after it expired.
			return false;
		}
	}

	private boolean insert(String migration, String owner, List<ChunkRange> ranges, @Nullable String resumeAfter,
			TransactionStatus status) {
		insertChunks(migration, ranges, resumeAfter);
		if (this.jdbc.update(this.startSql, migration, owner) == 1) {
			return true;
		}
		status.setRollbackOnly();
		return false;
	}

	private void insertChunks(String migration, List<ChunkRange> ranges, @Nullable String resumeAfter) {
		for (int i = 0; i < ranges.size(); i++) {
			this.jdbc.update(this.insertSql, migration, i, ranges.get(i).start(), ranges.get(i).end(),
					(i == 0) ? resumeAfter : null);
		}
	}

	/**
	 * Starts a migration again that already has chunks (after it failed or was paused):
	 * failed chunks become claimable from their checkpoints and its row {@code RUNNING}
	 * by the chunk workers, provided the caller holds the migration's lease and it is
	 * still {@code RUNNING}.
	 * @param migration the migration
	 * @param owner the owner of the migration's lease
	 * @return whether the migration was started (false: the lease had passed on, or the
	 * migration was paused meanwhile)
	 */
	public boolean restart(String migration, String owner) {
		Boolean started = this.transactions.execute((status) -> {
			this.jdbc.update(this.resetFailedSql, migration);
			if (this.jdbc.update(this.startSql, migration, owner) == 1) {
				return true;
			}
			status.setRollbackOnly();
			return false;
		});
		return Boolean.TRUE.equals(started);
	}

	/**
	 * Starts a migration run in chunks again after it was paused and resumed (its row
	 * {@code PENDING}, still by the chunk workers): its row {@code RUNNING} and, in the same
	 * transaction, a chunk that failed while it was paused claimable again from its
	 * checkpoint, as a resumed single walk runs its failed batch again. Any instance may
	 * ask; one succeeds.
	 * @param migration the migration
	 * @return whether this call started it
	 */
	public boolean resume(String migration) {
		Boolean resumed = this.transactions.execute((status) -> {
			if (this.jdbc.update(this.resumeSql, migration) != 1) {
				return false;
			}
			this.jdbc.update(this.resetFailedSql, migration);
			return true;
		});
		return Boolean.TRUE.equals(resumed);
	}

	/**
	 * Runs a migration again from the start: in one transaction, resets its tracking row
	 * (by {@code resetRow}) and deletes its chunks, so that its next run, as one keyset walk
	 * or in chunks, cannot take the old completed chunks for its own.
	 * @param migration the migration
	 * @param resetRow the tracking row's reset, joining the transaction; whether it reset
	 * the row (false: nothing is deleted)
	 * @return whether the row was reset
	 */
	public boolean rerun(String migration, BooleanSupplier resetRow) {
		Boolean reset = this.transactions.execute((status) -> {
			if (!resetRow.getAsBoolean()) {
				return false;
			}
			this.jdbc.update(this.deleteSql, migration);
			return true;
		});
		return Boolean.TRUE.equals(reset);
	}

	/**
	 * Deletes a migration's chunks, so that its next run splits it again (after a rerun
	 * reset its row). Joins the caller's transaction.
	 * @param migration the migration
	 * @return how many chunks were deleted
	 */
	public int deleteAll(String migration) {
		return this.jdbc.update(this.deleteSql, migration);
	}

	/**
	 * Claims a chunk for a worker: one that is not completed and whose lease is free or
	 * expired, the lowest first. Where the dialect has a
	 * {@linkplain SqlDialect#skipLockedClause() skip-locked clause}, workers claiming at
	 * once lock different candidates and pass over each other's; elsewhere each claim is
	 * an {@code UPDATE} conditioned on the lease being free, and a worker that loses the
	 * race for a chunk tries the next. Nothing is claimed unless the migration is
	 * {@code RUNNING}.
	 * @param migration the migration
	 * @param worker the worker's owner id
	 * @param lease how long the lease holds unless renewed
	 * @return the claimed chunk, or empty if none is free
	 */
	public Optional<ChunkState> claim(String migration, String worker, Duration lease) {
		return claim(migration, worker, lease, null);
	}

	/**
	 * Claims a chunk for a worker as {@link #claim(String, String, Duration)} does, giving
	 * the chunk the worker's recent rate, so that the migration's rate (its running chunks'
	 * added up) keeps the worker's while it moves from one chunk to the next.
	 * @param migration the migration
	 * @param worker the worker's owner id
	 * @param lease how long the lease holds unless renewed
	 * @param rowsPerSecond the worker's recent rate, or {@code null} before its first batch
	 * @return the claimed chunk, or empty if none is free
	 */
	public Optional<ChunkState> claim(String migration, String worker, Duration lease,
			@Nullable Double rowsPerSecond) {
		if (!"RUNNING".equals(status(migration))) {
			return Optional.empty();
		}
		long millis = SqlDialect.millis(lease);
		String skipLocked = this.dialect.skipLockedClause();
		Integer claimed;
		if (skipLocked != null) {
			claimed = this.transactions.execute((status) -> {
				List<Integer> candidates = this.jdbc.queryForList(this.candidatesSql + " LIMIT 1 " + skipLocked,
						Integer.class, migration);
				return candidates.isEmpty() ? null
						: tryClaim(migration, candidates.get(0), worker, millis, rowsPerSecond);
			});
		}
		else {
			claimed = null;
			for (Integer candidate : this.jdbc.queryForList(this.candidatesSql, Integer.class, migration)) {
				claimed = tryClaim(migration, candidate, worker, millis, rowsPerSecond);
				if (claimed != null) {
					break;
				}
			}
		}
		return (claimed != null) ? find(migration, claimed) : Optional.empty();
	}

	/**
	 * Whether workers joining a migration that runs in chunks would find something to do: a
	 * chunk they could {@linkplain #claim claim} (by the same condition, on the database's
	 * clock: not completed, its lease free or expired), or none left to run, the last one
	 * completed a lease ago or more, so that only ending the pass is due (its last worker
	 * stopped before it could; an instance ending it, counting the rows left, would have
	 * done so by then). One query; it does not look at the migration's row.
	 * @param migration the migration
	 * @param lease how long an instance ending a pass is given
	 * @return whether there is work to join
	 */
	public boolean hasWorkToJoin(String migration, Duration lease) {
		return Boolean.TRUE.equals(this.jdbc.queryForObject(this.workToJoinSql,
				(rs, row) -> rs.getLong(1) > 0 || rs.getLong(2) == 0, -SqlDialect.millis(lease), migration));
	}

	private @Nullable Integer tryClaim(String migration, int chunk, String worker, long leaseMillis,
			@Nullable Double rowsPerSecond) {
		return (this.jdbc.update(this.claimSql, worker, leaseMillis, rowsPerSecond, migration, chunk) == 1) ? chunk
				: null;
	}

	private @Nullable String status(String migration) {
		return this.jdbc.queryForList(this.parentStatusSql, String.class, migration).stream().findFirst().orElse(null);
	}

	/**
	 * Extends a worker's lease of a chunk.
	 * @param migration the migration
	 * @param chunk the chunk's number
	 * @param worker the worker
	 * @param lease the new lease length from now
	 * @return whether the worker still held the lease
	 */
	public boolean renew(String migration, int chunk, String worker, Duration lease) {
		return this.jdbc.update(this.renewSql, SqlDialect.millis(lease), migration, chunk, worker) == 1;
	}

	/**
	 * Saves a chunk's checkpoint with no rate, as
	 * {@link #saveCheckpoint(String, int, String, Checkpoint, long, Duration, boolean, RunFigures)}.
	 * @param migration the migration
	 * @param chunk the chunk's number
	 * @param worker the worker the lease must still belong to
	 * @param checkpoint the chunk's new checkpoint
	 * @param previousBatches the chunk's batch count the worker last saw
	 * @param lease the renewed lease length
	 * @param completed whether this was the chunk's last batch
	 * @return whether the write took effect
	 */
	public boolean saveCheckpoint(String migration, int chunk, String worker, Checkpoint checkpoint,
			long previousBatches, Duration lease, boolean completed) {
		return saveCheckpoint(migration, chunk, worker, checkpoint, previousBatches, lease, completed,
				RunFigures.NONE);
	}

	/**
	 * Saves a chunk's checkpoint with its worker's recent rate and renews its lease, or,
	 * when {@code completed}, marks the chunk {@code COMPLETED}, frees its lease and adds
	 * its counts to the migration's row. Joins the caller's transaction, which must roll
	 * back when this returns false.
	 * @param migration the migration
	 * @param chunk the chunk's number
	 * @param worker the worker the lease must still belong to
	 * @param checkpoint the chunk's new checkpoint
	 * @param previousBatches the chunk's batch count the worker last saw
	 * @param lease the renewed lease length
	 * @param completed whether this was the chunk's last batch
	 * @param figures the chunk's figures as of this batch: its worker's rate (not saved for
	 * a completed chunk: it no longer adds to the migration's rate) and the chunk's time
	 * throttled, with why its batch was
	 * @return whether the write took effect (false: the lease or checkpoint moved on, or the
	 * migration is no longer {@code RUNNING})
	 */
	public boolean saveCheckpoint(String migration, int chunk, String worker, Checkpoint checkpoint,
			long previousBatches, Duration lease, boolean completed, RunFigures figures) {
		if (!completed) {
			return this.jdbc.update(this.checkpointSql, checkpoint.lastKey(), checkpoint.rowsProcessed(),
					checkpoint.batches(), figures.rowsPerSecond(), figures.throttledMillis(), figures.throttleReason(),
					SqlDialect.millis(lease), migration, chunk, worker, previousBatches, migration) == 1;
		}
		// The migration's row first: where reads in an UPDATE lock (MariaDB), workers completing
		// chunks at once then queue on that row instead of deadlocking over it. (On PostgreSQL a
		// one-statement batch has locked the chunk's row before; its reads lock nothing.)
		return this.jdbc.update(this.addToMigrationSql, checkpoint.rowsProcessed(), checkpoint.batches(),
				figures.throttledMillis(), migration) == 1
				&& this.jdbc.update(this.completeSql, checkpoint.lastKey(), checkpoint.rowsProcessed(),
						checkpoint.batches(), figures.throttledMillis(), migration, chunk, worker, previousBatches) == 1;
	}

	/**
	 * The checkpoint of a chunk's batch run as one statement (see
	 * {@link OneStatementBatch}): the UPDATE of {@link #saveCheckpoint} for every batch that
	 * is not empty, with the new last key and row count as SQL expressions. After the chunk's
	 * last batch, {@link #saveCheckpoint} completes the chunk, fenced on the batch count this
	 * checkpoint saved.
	 * @param migration the migration
	 * @param chunk the chunk's number
	 * @param worker the worker the lease must still belong to
	 * @param from the chunk's checkpoint before the batch
	 * @param lease the renewed lease length
	 * @param figures the chunk's figures as of the batch before (this batch's time is not known
	 * yet)
	 * @param lastKeyText SQL expression, without parameters, of the batch's last key as text
	 * @param batchRows SQL expression, without parameters, of the number of rows in the batch
	 * @return the UPDATE, which changes one row unless the lease or checkpoint moved on, the
	 * migration is no longer {@code RUNNING} or the batch is empty, and its parameters
	 */
	public MigrationStore.CheckpointStatement checkpointAfterBatch(String migration, int chunk, String worker,
			Checkpoint from, Duration lease, RunFigures figures, String lastKeyText, String batchRows) {
		// The figures may be NULL.
		List<Object> parameters = Arrays.asList(from.rowsProcessed(), from.batches() + 1, figures.rowsPerSecond(),
				figures.throttledMillis(), figures.throttleReason(), SqlDialect.millis(lease), migration, chunk, worker,
				from.batches(), migration);
		return new MigrationStore.CheckpointStatement(
				checkpointSql(lastKeyText, "? + " + batchRows) + " AND " + batchRows + " > 0",
				Collections.unmodifiableList(parameters));
	}

	/**
	 * The one UPDATE that saves a chunk's checkpoint and renews its lease, with the new last
	 * key and row count as SQL expressions; the plain checkpoint and the one inside a batch's
	 * single statement are both built here.
	 */
	private String checkpointSql(String lastKey, String rowsProcessed) {
		return "UPDATE " + this.table + " SET last_key = " + lastKey + ", rows_processed = " + rowsProcessed
				+ ", batches = ?, rows_per_second = ?, throttled_millis = ?, throttle_reason = ?, updated_at = "
				+ this.dialect.currentTimestamp() + ", lease_expires_at = " + this.dialect.currentTimestampPlusMillis()
				+ " WHERE migration = ? AND chunk = ? AND lease_owner = ? AND batches = ? AND EXISTS (SELECT 1 FROM "
				+ this.trackingTable + " WHERE name = ? AND status = 'RUNNING')";
	}

	/**
	 * Frees a worker's lease of a chunk, leaving it claimable from its checkpoint.
	 * @param migration the migration
	 * @param chunk the chunk's number
	 * @param worker the worker the lease must still belong to
	 * @return whether the worker still held the lease
	 */
	public boolean release(String migration, int chunk, String worker) {
		return this.jdbc.update(this.releaseSql, migration, chunk, worker) == 1;
	}

	/**
	 * Marks a chunk {@code FAILED} and its migration {@code FAILED} with the error, keeping
	 * every checkpoint; a migration paused meanwhile stays {@code PAUSED}, with the error.
	 * @param migration the migration
	 * @param chunk the chunk's number
	 * @param worker the worker the chunk's lease must still belong to
	 * @param error what went wrong
	 * @return whether the worker still held the chunk's lease
	 */
	public boolean fail(String migration, int chunk, String worker, String error) {
		String message = MigrationStore.lastError(error);
		Boolean failed = this.transactions.execute((status) -> {
			if (this.jdbc.update(this.failSql, message, migration, chunk, worker) != 1) {
				return false;
			}
			failMigration(migration, message);
			return true;
		});
		return Boolean.TRUE.equals(failed);
	}

	/**
	 * Marks a migration run in chunks {@code FAILED} with the error, keeping every
	 * checkpoint. A {@code PAUSED} one stays paused, with the error: an operator's pause is
	 * not undone by a failure, and resuming it runs the failed chunk again.
	 * @param migration the migration
	 * @param error what went wrong
	 * @return whether the migration was {@code RUNNING} or {@code PAUSED}
	 */
	public boolean failMigration(String migration, String error) {
		String message = MigrationStore.lastError(error);
		return this.jdbc.update(this.failMigrationSql, message, migration) == 1;
	}

	/**
	 * Marks a migration run in chunks {@code FAILED} for a failure at the end of one of its
	 * passes, as {@link #failMigration}, unless another instance has ended that pass
	 * meanwhile (started the next one, or completed it).
	 * @param migration the migration
	 * @param pass the pass that failed to end
	 * @param error what went wrong
	 * @return whether the migration was still in that pass, {@code RUNNING} or {@code PAUSED}
	 */
	public boolean failPass(String migration, int pass, String error) {
		String message = MigrationStore.lastError(error);
		return this.jdbc.update(this.failPassSql, message, migration, pass) == 1;
	}

	/**
	 * Marks a migration run in chunks {@code COMPLETED} with the rows its base query still
	 * returned, if it is still {@code RUNNING} by the chunk workers on the pass the caller
	 * ended and every one of its chunks has completed. Any instance may ask, any number of
	 * times; of instances asking at once, one completes it. Joins the caller's transaction.
	 * @param migration the migration
	 * @param pass the pass that ended, from 1
	 * @param remainingRows the rows the base query still returned, or {@code null} when not
	 * counted
	 * @return whether this call completed it
	 */
	public boolean completeMigration(String migration, int pass, @Nullable Long remainingRows) {
		return this.jdbc.update(this.completeMigrationSql, remainingRows, migration, pass, migration) == 1;
	}

	/**
	 * Starts the next pass of a migration run in chunks (a sweep), if it is still
	 * {@code RUNNING} by the chunk workers on the pass the caller ended and every one of its
	 * chunks has completed: in one transaction (the caller's, if it has one), saves the pass
	 * number and the rows the ended pass left, deletes the completed chunks and inserts the
	 * new pass's, from the first key, for the workers of every instance to claim. The
	 * tracking row's counts stay: each new chunk adds its own as it completes. Of instances
	 * asking at once, one starts it.
	 * @param migration the migration
	 * @param endedPass the pass that ended, from 1
	 * @param remainingRows the rows the base query still returned when it ended
	 * @param ranges the new pass's chunks, in key order, covering every key
	 * @return whether this call started the next pass
	 */
	public boolean startPass(String migration, int endedPass, long remainingRows, List<ChunkRange> ranges) {
		Boolean started = this.transactions.execute((status) -> {
			// The row first, and before anything is written: a call that loses leaves nothing to roll back.
			if (this.jdbc.update(this.nextPassSql, endedPass + 1, remainingRows, migration, endedPass,
					migration) != 1) {
				return false;
			}
			this.jdbc.update(this.deleteSql, migration);
			insertChunks(migration, ranges, null);
			return true;
		});
		return Boolean.TRUE.equals(started);
	}

	private static ChunkState mapChunk(ResultSet rs, int row) throws SQLException {
		Object expires = JdbcUtils.getResultSetValue(rs, rs.findColumn("lease_expires_at"), Timestamp.class);
		Instant leaseExpiresAt = (expires instanceof Timestamp timestamp) ? timestamp.toInstant() : null;
		return new ChunkState(rs.getString("migration"), rs.getInt("chunk"), rs.getString("range_start"),
				rs.getString("range_end"), rs.getString("status"), rs.getString("last_key"),
				rs.getLong("rows_processed"), rs.getLong("batches"), MigrationStore.nullableDouble(rs, "rows_per_second"),
				rs.getString("lease_owner"), leaseExpiresAt, rs.getString("last_error"), rs.getLong("throttled_millis"),
				rs.getString("throttle_reason"));
	}

}
