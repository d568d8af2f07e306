package dev.backfill.internal.runner;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import dev.backfill.internal.store.MigrationStore.CheckpointStatement;
import dev.backfill.internal.store.OneStatementBatch;
import dev.backfill.internal.store.RunFigures;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * A batch of a {@link dev.backfill.SqlMigration} as one statement, where the dialect can
 * ({@link OneStatementBatch}): the statement reads the batch's keys after the checkpoint
 * (with the peek row), runs the update on them and saves the checkpoint, and returns the
 * keys it read. They are then checked as every batch's are ({@link KeyRules}), before the
 * commit, so a NULL or duplicate key, or a checkpoint refused (lease lost), rolls the
 * whole batch back, update included. One statement and its commit instead of the read,
 * the update and the checkpoint. A single walk saves the migration's row; a chunk's
 * worker its chunk's row, the batch read within the chunk's key range.
 * <p>
 * Not for composite keys (the checkpoint's text of a row value is Java's to write), nor
 * for text keys, whose uniqueness the column's collation decides with a query of the
 * base query that would run after the update, which may no longer select the batch's
 * rows; nor for a migration that is not transactional.
 */
final class SingleStatementBatch {

	private final OneStatementBatch parts;

	private final String update;

	private final BatchQuery query;

	private final CheckpointInStatement checkpoint;

	/** The chunk's key range, or {@code null} for the whole migration as one keyset walk. */
	private final @Nullable KeyRange range;

	private final String name;

	private final String owner;

	private final String keyColumn;

	private final Key key;

	private SingleStatementBatch(OneStatementBatch parts, String update, MigrationTarget target, BatchQuery query,
			Key key, String owner, CheckpointInStatement checkpoint, @Nullable KeyRange range) {
		this.parts = parts;
		this.update = update;
		this.query = query;
		this.checkpoint = checkpoint;
		this.range = range;
		this.name = target.name();
		this.owner = owner;
		this.keyColumn = key.columns().get(0);
		this.key = key;
	}

	/**
	 * The single-statement form of a migration's batches, if it has one.
	 * @param target the migration
	 * @param query its batch query
	 * @param key its key
	 * @param owner the lease owner (the instance, or a chunk's worker), for messages
	 * @param checkpoint the checkpoint of the migration's row or of a chunk's
	 * @param range the chunk's key range, or {@code null} for a single walk
	 * @return it, or {@code null} to run each batch's read, update and checkpoint as
	 * statements of their own
	 */
	static @Nullable SingleStatementBatch of(MigrationTarget target, BatchQuery query, Key key, String owner,
			CheckpointInStatement checkpoint, @Nullable KeyRange range) {
		OneStatementBatch parts = target.database().store().dialect().oneStatementBatch();
		if (parts == null || !(target.migration() instanceof SqlBatchUpdate sql) || !target.settings().transactional()
				|| key.isComposite() || !key.comparesExactly()) {
			return null;
		}
		String update = sql.inOneStatement(parts);
		return (update != null)
				? new SingleStatementBatch(parts, update, target, query, key, owner, checkpoint, range) : null;
	}

	/**
	 * Runs the statement of the batch after a position, inside the batch's transaction.
	 * @param jdbc operations joining the batch's transaction
	 * @param from where the migration stands
	 * @param batchSize the batch's size
	 * @param figures the run's figures to save with the checkpoint, as of the batch before
	 * @return the batch read and updated, its checkpoint saved unless it is empty
	 * @throws LeaseLostException if the checkpoint was refused
	 * @throws InvalidMigrationException if a key is NULL or not unique
	 */
	Batch run(JdbcOperations jdbc, Position from, int batchSize, RunFigures figures) {
		CheckpointStatement checkpoint = this.checkpoint.after(from.checkpoint(), figures, this.parts.lastKeyText(),
				this.parts.batchRows());
		List<Object> parameters = new ArrayList<>();
		String batchSql;
		if (this.range != null) {
			BatchQuery.ChunkBatchSql chunkBatch = this.query.chunkBatchSql(from.lastKey(), this.range, batchSize);
			batchSql = chunkBatch.sql();
			parameters.addAll(List.of(chunkBatch.parameters()));
		}
		else {
			boolean first = (from.lastKey() == null);
			batchSql = this.query.sql(first, batchSize);
			if (!first) {
				parameters.addAll(List.of(this.query.rowsAfterParameters(from.lastKey())));
			}
		}
		String sql = this.parts.statement(batchSql, batchSize, this.update, checkpoint.sql());
		parameters.addAll(checkpoint.parameters());
		Result result = jdbc.query(sql, this::result, parameters.toArray());
		Batch batch = this.query.checked(jdbc, result.rows(), this.key, from.checkpoint().batches() + 1,
				batchSize);
		if (batch.isEmpty()) {
			return batch;
		}
		String lastKey = this.key.format(this.query.keyOf(batch.lastRow()));
		if (result.saved() != 1) {
			throw new LeaseLostException(this.name, this.owner);
		}
		if (!lastKey.equals(result.savedKey())) {
			// The database's text of the key is not Java's: resuming would read it differently.
			throw new IllegalStateException("Migration '" + this.name + "' saved checkpoint key '"
					+ result.savedKey() + "' for the batch ending at key " + lastKey);
		}
		return batch;
	}

	private Result result(ResultSet rs) throws SQLException {
		if (!rs.next()) {
			throw new IllegalStateException("Migration '" + this.name + "': the batch statement returned no row");
		}
		long saved = rs.getLong(OneStatementBatch.SAVED);
		String savedKey = rs.getString(OneStatementBatch.SAVED_KEY);
		Array array = rs.getArray(OneStatementBatch.KEY);
		List<Map<String, Object>> rows = new ArrayList<>();
		try {
			for (Object key : (Object[]) array.getArray()) {
				// A NULL key stays in: the key rules fail the batch on it.
				rows.add(Collections.singletonMap(this.keyColumn, key));
			}
		}
		finally {
			array.free();
		}
		return new Result(rows, saved, savedKey);
	}

	private record Result(List<Map<String, Object>> rows, long saved, @Nullable String savedKey) {
	}

}
