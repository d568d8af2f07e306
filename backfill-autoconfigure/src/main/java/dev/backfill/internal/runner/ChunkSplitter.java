package dev.backfill.internal.runner;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import dev.backfill.internal.store.ChunkRange;
import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.JdbcUtils;

/**
 * Splits a migration's remaining keys into chunks, once, when its first run with
 * {@code parallelism} above 1 starts. Integer keys of one column are split into even
 * ranges between the smallest and greatest key (one {@code MIN}/{@code MAX} read, two
 * index lookups); other keys, composite keys among them, at boundaries sampled from the
 * data: a {@code COUNT} of the keys, then every {@code count / chunks}-th key by
 * {@code ROW_NUMBER()} over the key order (all the key's columns), both computed in the
 * database over the key's index, so only the boundaries travel. A boundary is saved in the
 * checkpoint's text form, a composite key's as its tuple's JSON array. The first chunk has
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

	ChunkSplitter(BatchQuery query, Key key) {
		this.query = query;
		this.key = key;
	}

	/**
	 * The chunks of the keys after a checkpoint.
	 * @param jdbc operations on the migration's DataSource
	 * @param chunks how many chunks to aim at; fewer when there are fewer keys
	 * @param after the checkpoint of a run as one keyset walk, or {@code null}
	 * @return the chunks' ranges in key order, together covering every key after the
	 * checkpoint
	 */
	List<ChunkRange> split(JdbcOperations jdbc, int chunks, @Nullable KeyValue after) {
		if (chunks <= 1) {
			return List.of(ChunkRange.ALL);
		}
		boolean even = !this.key.isComposite() && this.key.types().get(0) == KeyType.INTEGER;
		List<String> boundaries = even ? evenBoundaries(jdbc, chunks, after) : sampledBoundaries(jdbc, chunks, after);
		List<ChunkRange> ranges = new ArrayList<>(boundaries.size() + 1);
		String start = null;
		for (String boundary : boundaries) {
			ranges.add(new ChunkRange(start, boundary));
			start = boundary;
		}
		ranges.add(new ChunkRange(start, null));
		return ranges;
	}

	private List<String> evenBoundaries(JdbcOperations jdbc, int chunks, @Nullable KeyValue after) {
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

	private List<String> sampledBoundaries(JdbcOperations jdbc, int chunks, @Nullable KeyValue after) {
		List<String> keys = this.query.keyExpressions();
		String from = this.query.fromClause() + afterPredicate(after);
		Long count = jdbc.queryForObject("SELECT COUNT(*)" + from, Long.class, arguments(after));
		if (count == null || count < 2) {
			return List.of();
		}
		long step = Math.max(1, (count + chunks - 1) / chunks);
		List<Object> args = new ArrayList<>(List.of(arguments(after)));
		args.add(step);
		args.add(count);
		List<String> labels = IntStream.range(0, keys.size()).mapToObj((i) -> "backfill_key_" + i).toList();
		List<String> selected = IntStream.range(0, keys.size())
			.mapToObj((i) -> keys.get(i) + " AS " + labels.get(i))
			.toList();
		RowMapper<KeyValue> tuple = (rs, row) -> {
			Object[] parts = new Object[keys.size()];
			for (int i = 0; i < parts.length; i++) {
				parts[i] = JdbcUtils.getResultSetValue(rs, i + 1);
			}
			return KeyValue.of(parts);
		};
		List<KeyValue> sampled = jdbc.query("SELECT " + String.join(", ", labels) + " FROM (SELECT "
				+ String.join(", ", selected) + ", ROW_NUMBER() OVER (ORDER BY " + String.join(", ", keys)
				+ ") AS backfill_row" + from + ") backfill_sample WHERE MOD(backfill_row, ?) = 0 AND backfill_row < ? "
				+ "ORDER BY " + String.join(", ", labels), tuple, args.toArray());
		List<String> boundaries = new ArrayList<>();
		for (KeyValue key : sampled) {
			String boundary = this.key.format(key);
			if (boundaries.isEmpty() || !boundaries.get(boundaries.size() - 1).equals(boundary)) {
				boundaries.add(boundary);
			}
		}
		return boundaries;
	}

	private String afterPredicate(@Nullable KeyValue after) {
		return (after != null) ? " WHERE " + this.query.keysAfter().sql() : "";
	}

	private Object[] arguments(@Nullable KeyValue after) {
		return (after != null) ? this.query.keysAfter().parameters(after.parts()) : new Object[0];
	}

}
