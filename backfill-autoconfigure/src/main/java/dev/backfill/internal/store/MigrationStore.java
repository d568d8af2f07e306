package dev.backfill.internal.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import dev.backfill.MigrationStatus;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.BadSqlGrammarException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.JdbcUtils;

/**
 * The tracking table of one DataSource: one row per migration with its status,
 * checkpoint, counts and lease.
 * <p>
 * Every write that moves a migration forward is conditioned on the caller's lease
 * ({@code lease_owner}), on the batch count it last saw and on the migration still being
 * {@code RUNNING}, so an owner that lost its lease, a stale retry, or a worker whose
 * migration was paused meanwhile, changes nothing. An operator's state changes
 * ({@link #pause}, {@link #resume}, {@link #retry}, {@link #rerun}) are conditioned on the
 * status they leave, so of two at once one wins and the other changes nothing. Writes made inside a Spring-managed
 * transaction on the same DataSource join it, which is how a batch's checkpoint commits
 * together with the batch's own writes.
 *
 * @since 0.1.0
 */
public final class MigrationStore {

	/** What a plain SQL identifier is, for messages. */
	public static final String PLAIN_IDENTIFIER_RULE = "must be a plain SQL identifier "
			+ "(a letter or underscore, then letters, digits or underscores, at most 63)";

	private static final Pattern PLAIN_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

	private static final int MAX_ERROR_LENGTH = 4000;

	private static final String COLUMNS = "name, status, last_key, rows_processed, batches, started_at, updated_at, "
			+ "completed_at, last_error, lease_owner, lease_expires_at, estimated_total, rows_per_second, "
			+ "throttled_millis, throttle_reason, paused_by, paused_at, remaining_rows, pass";

	/**
	 * The condition every checkpoint of a running worker carries: a migration paused (or
	 * resumed, retried, rerun) meanwhile refuses the batch in flight, which rolls back with
	 * it, at no statement of its own.
	 */
	private static final String RUNNING_ONLY = " AND status = 'RUNNING'";

	private final JdbcTemplate jdbc;

	private final SqlDialect dialect;

	private final String table;

	private final String selectAllSql;

	private final String selectSql;

	private final String pauseSql;

	private final String resumeSql;

	private final String retrySql;

	private final String rerunSql;

	private final String acquireSql;

	private final String abandonedSql;

	private final String renewSql;

	private final String checkpointSql;

	private final String completeSql;

	private final String nextPassSql;

	private final String failSql;

	private final String releaseSql;

	private final String estimateSql;

	/**
	 * Creates a store for a table of the DataSource.
	 * @param dataSource the DataSource holding the table
	 * @param dialect the DataSource's dialect
	 * @param table a plain SQL identifier
	 */
	public MigrationStore(DataSource dataSource, SqlDialect dialect, String table) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.dialect = dialect;
		this.table = requirePlainIdentifier(table);
		String now = dialect.currentTimestamp();
		String leaseUntil = dialect.currentTimestampPlusMillis();
		this.selectAllSql = "SELECT " + COLUMNS + " FROM " + table;
		this.selectSql = this.selectAllSql + " WHERE name = ?";
		this.pauseSql = "UPDATE " + table + " SET status = 'PAUSED', paused_by = ?, paused_at = " + now
				+ ", updated_at = " + now + " WHERE name = ? AND status IN ('PENDING', 'RUNNING')";
		this.resumeSql = "UPDATE " + table + " SET status = 'PENDING', paused_by = NULL, paused_at = NULL, "
				+ "updated_at = " + now + " WHERE name = ? AND status = 'PAUSED'";
		this.retrySql = "UPDATE " + table + " SET status = 'PENDING', updated_at = " + now
				+ " WHERE name = ? AND status = 'FAILED'";
		this.rerunSql = "UPDATE " + table + " SET status = 'PENDING', last_key = NULL, rows_processed = 0, "
				+ "batches = 0, started_at = NULL, completed_at = NULL, last_error = NULL, estimated_total = NULL, "
				+ "rows_per_second = NULL, throttled_millis = NULL, throttle_reason = NULL, remaining_rows = NULL, "
				+ "pass = NULL, "
				+ "updated_at = " + now + " WHERE name = ? AND status = 'COMPLETED'";
		String leaseFree = "(lease_owner IS NULL OR lease_expires_at < " + now + ")";
		this.acquireSql = "UPDATE " + table + " SET status = 'RUNNING', lease_owner = ?, lease_expires_at = "
				+ leaseUntil + ", started_at = COALESCE(started_at, " + now + "), updated_at = " + now
				+ " WHERE name = ? AND status IN ('PENDING', 'RUNNING', 'FAILED') AND (" + leaseFree
				+ " OR lease_owner = ?)";
		this.abandonedSql = "SELECT COUNT(*) FROM " + table + " WHERE name = ? AND status = 'RUNNING' AND " + leaseFree;
		this.renewSql = "UPDATE " + table + " SET lease_expires_at = " + leaseUntil
				+ " WHERE name = ? AND lease_owner = ?";
		String figures = "rows_per_second = ?, throttled_millis = ?, throttle_reason = ?, ";
		this.checkpointSql = checkpointSql("?", "?");
		this.completeSql = "UPDATE " + table + " SET status = 'COMPLETED', last_key = ?, rows_processed = ?, "
				+ "batches = ?, " + figures + "remaining_rows = ?, updated_at = " + now + ", completed_at = " + now
				+ ", last_error = NULL, lease_owner = NULL, lease_expires_at = NULL"
				+ " WHERE name = ? AND lease_owner = ? AND batches = ?" + RUNNING_ONLY;
		this.nextPassSql = "UPDATE " + table + " SET last_key = NULL, rows_processed = ?, batches = ?, pass = ?, "
				+ "remaining_rows = ?, updated_at = " + now + ", lease_expires_at = " + leaseUntil
				+ " WHERE name = ? AND lease_owner = ? AND batches = ?" + RUNNING_ONLY;
		// A pause that landed while the batch failed stands, with the error: a FAILED migration is
		// taken again on the next start, a PAUSED one only once resumed.
		this.failSql = "UPDATE " + table + " SET status = CASE WHEN status = 'PAUSED' THEN status ELSE 'FAILED' END, "
				+ "last_error = ?, updated_at = " + now
				+ ", lease_owner = NULL, lease_expires_at = NULL WHERE name = ? AND lease_owner = ?";
		// A paused migration stays paused when its worker lets go of it.
		this.releaseSql = "UPDATE " + table + " SET status = CASE WHEN status = 'RUNNING' THEN 'PENDING' ELSE status "
				+ "END, updated_at = " + now
				+ ", lease_owner = NULL, lease_expires_at = NULL WHERE name = ? AND lease_owner = ?";
		this.estimateSql = "UPDATE " + table + " SET estimated_total = ? WHERE name = ? AND lease_owner = ?";
	}

	/**
	 * The one UPDATE that saves a checkpoint and renews the lease, with the new last key
	 * and row count as SQL expressions; its other parameters are those of
	 * {@link #checkpointParameters}. Both the plain checkpoint and the one inside a
	 * batch's single statement ({@link #checkpointAfterBatch}) are built here, so a column or
	 * condition added to the checkpoint reaches both.
	 */
	private String checkpointSql(String lastKey, String rowsProcessed) {
		return "UPDATE " + this.table + " SET last_key = " + lastKey + ", rows_processed = " + rowsProcessed
				+ ", batches = ?, rows_per_second = ?, throttled_millis = ?, throttle_reason = ?, updated_at = "
				+ this.dialect.currentTimestamp() + ", lease_expires_at = "
				+ this.dialect.currentTimestampPlusMillis() + " WHERE name = ? AND lease_owner = ? AND batches = ?"
				+ RUNNING_ONLY;
	}

	/** The parameters of {@link #checkpointSql} after those of its last key and row count. */
	private static List<Object> checkpointParameters(String name, String owner, long batches, long previousBatches,
			Duration lease, RunFigures figures) {
		// The figures may be NULL.
		return Arrays.asList(batches, figures.rowsPerSecond(), figures.throttledMillis(), figures.throttleReason(),
				SqlDialect.millis(lease), name, owner, previousBatches);
	}

	/**
	 * Checks that a table name is a plain SQL identifier (letters, digits, underscores).
	 * @param table the name
	 * @return the name
	 * @throws IllegalArgumentException if it is not
	 */
	public static String requirePlainIdentifier(String table) {
		if (!isPlainIdentifier(table)) {
			throw new IllegalArgumentException("'" + table + "' " + PLAIN_IDENTIFIER_RULE);
		}
		return table;
	}

	/**
	 * Whether a name is a plain SQL identifier, safe to write into SQL unquoted.
	 * @param name the name
	 * @return whether it is
	 */
	public static boolean isPlainIdentifier(String name) {
		return name != null && PLAIN_IDENTIFIER.matcher(name).matches();
	}

	/**
	 * The dialect of this store's DataSource.
	 * @return the dialect
	 */
	public SqlDialect dialect() {
		return this.dialect;
	}

	/**
	 * The tracking table's name.
	 * @return the table name
	 */
	public String table() {
		return this.table;
	}

	/**
	 * Creates the tracking table, and the tables named after it, in the connection's
	 * current schema unless they exist, by the dialect's {@link SchemaScript}. Instances
	 * starting at once may all try; each succeeds once the tables are there.
	 * @throws DataAccessException the database's error if creating failed and the table is
	 * still missing
	 */
	public void createTableIfMissing() {
		SchemaScript script = SchemaScript.of(this.dialect, this.table);
		for (int i = 0; i < script.statements().size(); i++) {
			try {
				this.jdbc.execute(script.statements().get(i));
			}
			catch (DataAccessException ex) {
				// Of instances creating the table at once, PostgreSQL fails all but one, depending on
				// when the first commits, with a unique violation on its catalog, 'type already
				// exists' (42710) or 'relation already exists' (42P07); whatever the form, the
				// table being there now is what was asked for.
				if (!tableExists(script.tables().get(i))) {
					throw ex;
				}
			}
		}
	}

	private boolean tableExists(String table) {
		try {
			this.jdbc.queryForList("SELECT 1 FROM " + table + " WHERE 1 = 0");
			return true;
		}
		catch (DataAccessException ex) {
			return false;
		}
	}

	/**
	 * Reads a migration's row.
	 * @param name the migration
	 * @return its state, or empty if it has no row yet
	 */
	public Optional<MigrationState> find(String name) {
		List<MigrationState> rows = this.jdbc.query(this.selectSql, MigrationStore::mapState, name);
		return rows.stream().findFirst();
	}

	/**
	 * Reads every row of the table.
	 * @return the rows by migration name
	 */
	public Map<String, MigrationState> findAll() {
		Map<String, MigrationState> rows = new LinkedHashMap<>();
		this.jdbc.query(this.selectAllSql, MigrationStore::mapState).forEach((row) -> rows.put(row.name(), row));
		return rows;
	}

	/**
	 * Reads a migration's row, inserting a {@code PENDING} one first if it has none.
	 * Concurrent instances may insert at once; the loser's insert is ignored.
	 * @param name the migration
	 * @return its state
	 * @throws TrackingTableMissingException if the tracking table cannot be read
	 */
	public MigrationState findOrCreate(String name) {
		Optional<MigrationState> existing;
		try {
			existing = find(name);
		}
		catch (BadSqlGrammarException ex) {
			throw new TrackingTableMissingException(name, this.table, ex.getMostSpecificCause().getMessage(), ex);
		}
		return existing.orElseGet(() -> {
			try {
				this.jdbc.update("INSERT INTO " + this.table + " (name, status, rows_processed, batches, updated_at)"
						+ " VALUES (?, 'PENDING', 0, 0, " + this.dialect.currentTimestamp() + ")", name);
			}
			catch (DuplicateKeyException ex) {
				// Another instance inserted it first.
			}
			return find(name).orElseThrow();
		});
	}

	/**
	 * Takes the migration's lease unless another owner holds an unexpired one or it has
	 * completed or is paused, and marks it {@code RUNNING}.
	 * @param name the migration
	 * @param owner this runner's owner id
	 * @param lease how long the lease holds unless renewed
	 * @return whether this owner now holds the lease
	 */
	public boolean tryAcquire(String name, String owner, Duration lease) {
		return this.jdbc.update(this.acquireSql, owner, SqlDialect.millis(lease), name, owner) == 1;
	}

	/**
	 * Whether a migration is {@code RUNNING} with a lease nobody holds any more: its owner
	 * stopped renewing it (it died) and any instance may {@linkplain #tryAcquire take it
	 * over}, by the same condition, on the database's clock. A migration run in chunks is
	 * never abandoned here: its row's lease belongs to the chunk workers and does not
	 * expire.
	 * @param name the migration
	 * @return whether it is abandoned
	 */
	public boolean isAbandoned(String name) {
		Long count = this.jdbc.queryForObject(this.abandonedSql, Long.class, name);
		return count != null && count > 0;
	}

	/**
	 * Extends the owner's lease.
	 * @param name the migration
	 * @param owner the owner
	 * @param lease the new lease length from now
	 * @return whether the owner still held the lease
	 */
	public boolean renew(String name, String owner, Duration lease) {
		return this.jdbc.update(this.renewSql, SqlDialect.millis(lease), name, owner) == 1;
	}

	/**
	 * Saves a checkpoint and renews the lease, or, when {@code completed}, marks the
	 * migration {@code COMPLETED} and frees the lease. Joins the caller's transaction.
	 * @param name the migration
	 * @param owner the owner the lease must still belong to
	 * @param checkpoint the new checkpoint
	 * @param previousBatches the batch count the owner last saw; the write is refused if
	 * it changed meanwhile
	 * @param lease the renewed lease length
	 * @param completed whether this was the last batch
	 * @return whether the write took effect (false: the lease or checkpoint moved on, or the
	 * migration is no longer {@code RUNNING}: paused)
	 */
	public boolean saveCheckpoint(String name, String owner, Checkpoint checkpoint, long previousBatches,
			Duration lease, boolean completed) {
		return saveCheckpoint(name, owner, checkpoint, previousBatches, lease, completed, RunFigures.NONE);
	}

	/**
	 * Saves a checkpoint with the run's figures, in the same statement, and renews the
	 * lease, or, when {@code completed}, marks the migration {@code COMPLETED} and frees
	 * the lease. Joins the caller's transaction.
	 * @param name the migration
	 * @param owner the owner the lease must still belong to
	 * @param checkpoint the new checkpoint
	 * @param previousBatches the batch count the owner last saw; the write is refused if
	 * it changed meanwhile
	 * @param lease the renewed lease length
	 * @param completed whether this was the last batch
	 * @param figures the rate and time throttled as of this batch
	 * @return whether the write took effect (false: the lease or checkpoint moved on)
	 */
	public boolean saveCheckpoint(String name, String owner, Checkpoint checkpoint, long previousBatches,
			Duration lease, boolean completed, RunFigures figures) {
		if (completed) {
			return complete(name, owner, checkpoint, previousBatches, null, figures);
		}
		List<Object> parameters = new ArrayList<>();
		parameters.add(checkpoint.lastKey());
		parameters.add(checkpoint.rowsProcessed());
		parameters.addAll(checkpointParameters(name, owner, checkpoint.batches(), previousBatches, lease, figures));
		return this.jdbc.update(this.checkpointSql, parameters.toArray()) == 1;
	}

	/**
	 * Records the rows a run expects to migrate, estimated when it started.
	 * @param name the migration
	 * @param owner the owner the lease must still belong to
	 * @param estimatedTotal rows done before the run plus rows it has left
	 * @return whether the owner still held the lease
	 */
	public boolean saveEstimate(String name, String owner, long estimatedTotal) {
		return this.jdbc.update(this.estimateSql, estimatedTotal, name, owner) == 1;
	}

	/**
	 * Marks the migration {@code COMPLETED} with its last checkpoint and the rows its base
	 * query still returned, and frees the lease. Joins the caller's transaction.
	 * @param name the migration
	 * @param owner the owner the lease must still belong to
	 * @param checkpoint the last checkpoint
	 * @param previousBatches the batch count the owner last saw; the write is refused if
	 * it changed meanwhile
	 * @param remainingRows the rows the base query still returned at the end, or
	 * {@code null} when not counted
	 * @param figures the rate and time throttled as of the last batch
	 * @return whether the write took effect (false: the lease or checkpoint moved on, or the
	 * migration is no longer {@code RUNNING}: paused)
	 */
	public boolean complete(String name, String owner, Checkpoint checkpoint, long previousBatches,
			@Nullable Long remainingRows, RunFigures figures) {
		return this.jdbc.update(this.completeSql, checkpoint.lastKey(), checkpoint.rowsProcessed(),
				checkpoint.batches(), figures.rowsPerSecond(), figures.throttledMillis(), figures.throttleReason(),
				remainingRows, name, owner, previousBatches) == 1;
	}

	/**
	 * Ends a pass that left rows behind and starts the next one from the first key (a
	 * sweep): clears the last key, saves the counts, the pass number and the rows left, and
	 * renews the lease. Joins the caller's transaction.
	 * @param name the migration
	 * @param owner the owner the lease must still belong to
	 * @param checkpoint the counts after the pass's last batch
	 * @param previousBatches the batch count the owner last saw; the write is refused if
	 * it changed meanwhile
	 * @param lease the renewed lease length
	 * @param pass the pass that starts, from 2
	 * @param remainingRows the rows the base query still returned when the last pass ended
	 * @return whether the write took effect (false: the lease or checkpoint moved on)
	 */
	public boolean startPass(String name, String owner, Checkpoint checkpoint, long previousBatches, Duration lease,
			int pass, long remainingRows) {
		return this.jdbc.update(this.nextPassSql, checkpoint.rowsProcessed(), checkpoint.batches(), pass,
				remainingRows, SqlDialect.millis(lease), name, owner, previousBatches) == 1;
	}

	/**
	 * The checkpoint of one more batch as a statement to run inside the batch's own, which
	 * reads the batch's keys in the same statement: the same UPDATE as
	 * {@link #saveCheckpoint} saves when not completing, with the last key and the batch's
	 * row count taken from SQL expressions over those keys.
	 * @param name the migration
	 * @param owner the owner the lease must still belong to
	 * @param from the checkpoint before the batch
	 * @param lease the renewed lease length
	 * @param figures the rate and time throttled as of the batch before (this batch's time is not
	 * known yet)
	 * @param lastKeyText SQL expression, without parameters, of the batch's last key as text
	 * @param batchRows SQL expression, without parameters, of the number of rows in the batch
	 * @return the UPDATE, which changes one row unless the lease or checkpoint moved on or
	 * the batch is empty, and its parameters
	 */
	public CheckpointStatement checkpointAfterBatch(String name, String owner, Checkpoint from, Duration lease,
			RunFigures figures, String lastKeyText, String batchRows) {
		List<Object> parameters = new ArrayList<>();
		parameters.add(from.rowsProcessed());
		parameters.addAll(checkpointParameters(name, owner, from.batches() + 1, from.batches(), lease, figures));
		// An empty batch saves nothing: the migration completes by saveCheckpoint instead.
		return new CheckpointStatement(checkpointSql(lastKeyText, "? + " + batchRows) + " AND " + batchRows + " > 0",
				Collections.unmodifiableList(parameters));
	}

	/**
	 * A checkpoint UPDATE and its parameters, to run as part of another statement.
	 *
	 * @param sql the UPDATE, with {@code ?} parameters
	 * @param parameters their values, in order
	 *
	 * @since 0.1.0
	 */
	public record CheckpointStatement(String sql, List<Object> parameters) {
	}

	/**
	 * Marks the migration {@code FAILED} with the error, keeping its checkpoint, and frees
	 * the lease. One paused meanwhile stays {@code PAUSED}, with the error; resuming it runs
	 * the failed batch again.
	 * @param name the migration
	 * @param owner the owner the lease must still belong to
	 * @param error what went wrong
	 * @return whether the owner still held the lease
	 */
	public boolean fail(String name, String owner, String error) {
		String message = lastError(error);
		return this.jdbc.update(this.failSql, message, name, owner) == 1;
	}

	/**
	 * An error as {@code last_error} keeps it, in the tracking and the chunk table alike.
	 * @param error what went wrong
	 * @return its first 4,000 characters
	 */
	static String lastError(String error) {
		return (error.length() > MAX_ERROR_LENGTH) ? error.substring(0, MAX_ERROR_LENGTH) : error;
	}

	/**
	 * Frees the lease and leaves the migration {@code PENDING}, resumable from its
	 * checkpoint; a {@code PAUSED} one stays paused.
	 * @param name the migration
	 * @param owner the owner the lease must still belong to
	 * @return whether the owner still held the lease
	 */
	public boolean release(String name, String owner) {
		return this.jdbc.update(this.releaseSql, name, owner) == 1;
	}

	/**
	 * Pauses a {@code PENDING} or {@code RUNNING} migration: no instance takes it, and its
	 * running worker's next checkpoint is refused. Its lease stays with that worker until
	 * the worker lets go.
	 * @param name the migration
	 * @param pausedBy who paused it, or {@code null}
	 * @return whether it was {@code PENDING} or {@code RUNNING} and is now {@code PAUSED}
	 */
	public boolean pause(String name, @Nullable String pausedBy) {
		return this.jdbc.update(this.pauseSql, pausedBy, name) == 1;
	}

	/**
	 * Makes a {@code PAUSED} migration {@code PENDING} again, from its checkpoint.
	 * @param name the migration
	 * @return whether it was {@code PAUSED}
	 */
	public boolean resume(String name) {
		return this.jdbc.update(this.resumeSql, name) == 1;
	}

	/**
	 * Makes a {@code FAILED} migration {@code PENDING} again, from its checkpoint. Its
	 * {@code last_error} stays until it completes.
	 * @param name the migration
	 * @return whether it was {@code FAILED}
	 */
	public boolean retry(String name) {
		return this.jdbc.update(this.retrySql, name) == 1;
	}

	/**
	 * Makes a {@code COMPLETED} migration {@code PENDING} from the start: no checkpoint, no
	 * counts, no start or completion time.
	 * @param name the migration
	 * @return whether it was {@code COMPLETED}
	 */
	public boolean rerun(String name) {
		return this.jdbc.update(this.rerunSql, name) == 1;
	}

	private static MigrationState mapState(ResultSet rs, int row) throws SQLException {
		return new MigrationState(rs.getString("name"), MigrationStatus.valueOf(rs.getString("status")),
				rs.getString("last_key"), rs.getLong("rows_processed"), rs.getLong("batches"),
				instant(rs, "started_at"), instant(rs, "updated_at"), instant(rs, "completed_at"),
				rs.getString("last_error"), rs.getString("lease_owner"), instant(rs, "lease_expires_at"),
				nullableLong(rs, "estimated_total"), nullableDouble(rs, "rows_per_second"),
				rs.getLong("throttled_millis"), rs.getString("throttle_reason"), rs.getString("paused_by"),
				instant(rs, "paused_at"), nullableLong(rs, "remaining_rows"), passOf(rs));
	}

	/** A row no pass ended on yet has no pass number: it is on the first. */
	private static int passOf(ResultSet rs) throws SQLException {
		int pass = rs.getInt("pass");
		return rs.wasNull() ? 1 : pass;
	}

	private static @Nullable Long nullableLong(ResultSet rs, String column) throws SQLException {
		long value = rs.getLong(column);
		return rs.wasNull() ? null : value;
	}

	static @Nullable Double nullableDouble(ResultSet rs, String column) throws SQLException {
		double value = rs.getDouble(column);
		return rs.wasNull() ? null : value;
	}

	private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
		Object value = JdbcUtils.getResultSetValue(rs, rs.findColumn(column), Timestamp.class);
		return (value instanceof Timestamp timestamp) ? timestamp.toInstant() : null;
	}

}
