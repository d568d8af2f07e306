package dev.backfill.internal.runner;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.backfill.internal.store.ChunkRange;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcOperations;

/**
 * Splits a migration's remaining keys into chunks, once, when its first run with
 * {@code parallelism} above 1 starts. Integer keys are split into even ranges between the
 * smallest and greatest key (one {@code MIN}/{@code MAX} read, two index lookups); other
 * keys at boundaries sampled from the data: a {@code COUNT} of the keys, then every
 * {@code count / chunks}-th key by {@code ROW_NUMBER()} over the key order, both computed
 * in the database over the key's index, so only the boundaries travel. The first chunk has
 * no lower bound and the last no upper bound, so rows inserted outside the keys seen at
 * the split still belong to a chunk.
 */
final class ChunkSplitter {

	/**
	 * Chunks per worker: more chunks than workers, so that a worker whose chunks go fast
	 * (fewer matching rows, a cooler part of the table) takes more of them and all workers
	 * finish at about the same time, while a claim (one short transaction) stays rare
	 * beside the batches of a chunk.
	 */
	static final int CHUNKS_PER_WORKER = 4;

	private final BatchQuery query;

	private final Key key;

	private final KeyType keyType;

	ChunkSplitter(BatchQuery query, Key key) {
		this.query = query;
		this.key = key;
		this.keyType = key.types().get(0);
	}

	/**
	 * The chunks of the keys after a checkpoint.
	 * @param jdbc operations on the migration's DataSource
	 * @param chunks how many chunks to aim at; fewer when there are fewer keys
	 * @param after the checkpoint of a run as one keyset walk, or {@code null}
	 * @return the chunks' ranges in key order, together covering every key after the
	 * checkpoint
	 */
	List<ChunkRange> split(JdbcOperations jdbc, int chunks, @Nullable KeyValue afterKey) {
		Object after = (afterKey != null) ? afterKey.parts().get(0) : null;
		if (chunks <= 1) {
			return List.of(ChunkRange.ALL);
		}
		List<String> boundaries = (this.keyType == KeyType.INTEGER) ? evenBoundaries(jdbc, chunks, after)
				: sampledBoundaries(jdbc, chunks, after);
		List<ChunkRange> ranges = new ArrayList<>(boundaries.size() + 1);
		String start = null;
		for (String boundary : boundaries) {
			ranges.add(new ChunkRange(start, boundary));
			start = boundary;
		}
		ranges.add(new ChunkRange(start, null));
		return ranges;
	}

	private List<String> evenBoundaries(JdbcOperations jdbc, int chunks, @Nullable Object after) {
		String key = this.query.keyExpression();
		Map<String, Object> minMax = jdbc.queryForMap(
				"SELECT MIN(" + key + ") AS backfill_min, MAX(" + key + ") AS backfill_max"
						+ this.query.fromClause() + afterPredicate(after),
				arguments(after));
		Object min = minMax.get("backfill_min");
		Object max = minMax.get("backfill_max");
		if (min == null || max == null) {
			return List.of();
		}
		BigInteger low = BigInteger.valueOf(((Number) min).longValue());
		BigInteger span = BigInteger.valueOf(((Number) max).longValue()).subtract(low).add(BigInteger.ONE);
		BigInteger count = span.min(BigInteger.valueOf(chunks));
		// Rounded up, so that the last chunk is the smallest rather than an overflow of them all.
		BigInteger width = span.add(count).subtract(BigInteger.ONE).divide(count);
		List<String> boundaries = new ArrayList<>();
		for (int i = 1; i < count.intValue(); i++) {
			BigInteger boundary = low.add(width.multiply(BigInteger.valueOf(i)));
			if (boundary.subtract(low).compareTo(span) >= 0) {
				break;
			}
			boundaries.add(boundary.toString());
		}
		return boundaries;
	}

	private List<String> sampledBoundaries(JdbcOperations jdbc, int chunks, @Nullable Object after) {
		String key = this.query.keyExpression();
		String from = this.query.fromClause() + afterPredicate(after);
		Long count = jdbc.queryForObject("SELECT COUNT(*)" + from, Long.class, arguments(after));
		if (count == null || count < 2) {
			return List.of();
		}
		long step = Math.max(1, (count + chunks - 1) / chunks);
		List<Object> args = new ArrayList<>(List.of(arguments(after)));
		args.add(step);
		args.add(count);
		List<Object> keys = jdbc.queryForList("SELECT backfill_key FROM (SELECT " + key + " AS backfill_key, "
				+ "ROW_NUMBER() OVER (ORDER BY " + key + ") AS backfill_row" + from + ") backfill_sample"
				+ " WHERE MOD(backfill_row, ?) = 0 AND backfill_row < ? ORDER BY backfill_key", Object.class,
				args.toArray());
		List<String> boundaries = new ArrayList<>();
		for (Object sampled : keys) {
			String boundary = this.key.format(KeyValue.of(sampled));
			if (boundaries.isEmpty() || !boundaries.get(boundaries.size() - 1).equals(boundary)) {
				boundaries.add(boundary);
			}
		}
		return boundaries;
	}

	private String afterPredicate(@Nullable Object after) {
		return (after != null) ? " WHERE " + this.query.keyExpression() + " > ?" : "";
	}

	private static Object[] arguments(@Nullable Object after) {
		return (after != null) ? new Object[] { after } : new Object[0];
	}

}
