package dev.backfill.internal.runner;

import dev.backfill.RowEstimate;
import dev.backfill.internal.store.SqlDialect.RowEstimateQuery;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcOperations;

/**
 * The rows a run expects to migrate, taken once when it starts: the rows done so far plus
 * the base query's rows after the checkpoint, counted or, for tables too large to count,
 * estimated by the database from its statistics. Only the rows after the checkpoint are
 * read, so a resumed run counts no more than it has left. An estimate is not worth a
 * failed migration: one that cannot be taken is logged and left out.
 */
final class EstimatedTotal {

	private static final Logger logger = LoggerFactory.getLogger(EstimatedTotal.class);

	private EstimatedTotal() {
	}

	/**
	 * Takes the estimate and records it in the migration's row.
	 * @param target the migration
	 * @param query its batch query
	 * @param start where the run starts
	 * @param owner the lease owner
	 * @return the estimated total, or {@code null} if it could not be taken
	 */
	static @Nullable Long take(MigrationTarget target, BatchQuery query, Position start, String owner) {
		long done = start.checkpoint().rowsProcessed();
		long started = System.nanoTime();
		try {
			Long left = rowsLeft(target, query, start);
			if (left == null) {
				logger.warn("Backfill migration '{}': the database gave no row estimate; it runs without percent "
						+ "and ETA", target.name());
				return null;
			}
			long total = done + left;
			target.database().store().saveEstimate(target.name(), owner, total);
			logger.info("Backfill migration '{}': {} rows estimated in all, {} of them left ({}, {} ms)",
					target.name(), total, left, statistics(target) ? "from statistics" : "counted",
					(System.nanoTime() - started) / 1_000_000);
			return total;
		}
		catch (DataAccessException ex) {
			logger.warn("Backfill migration '{}': could not estimate its rows ({}); it runs without percent and ETA",
					target.name(), FailureText.describe(ex));
			return null;
		}
	}

	private static boolean statistics(MigrationTarget target) {
		return target.settings().estimate() == RowEstimate.STATISTICS
				&& target.database().store().dialect().rowEstimate("SELECT 1") != null;
	}

	private static @Nullable Long rowsLeft(MigrationTarget target, BatchQuery query, Position start) {
		JdbcOperations jdbc = target.database().jdbc();
		KeyValue afterKey = start.lastKey();
		String rows = query.rowsSql(afterKey != null);
		Object[] args = (afterKey != null) ? query.rowsAfterParameters(afterKey) : new Object[0];
		RowEstimateQuery estimate = statistics(target) ? target.database().store().dialect().rowEstimate(rows)
				: null;
		if (estimate != null) {
			return jdbc.query(estimate.sql(), estimate.rows(), args);
		}
		return jdbc.queryForObject("SELECT COUNT(*) FROM (\n" + rows + "\n) backfill_count", Long.class, args);
	}

}
