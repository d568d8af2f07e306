package dev.backfill.internal.runner;

import dev.backfill.internal.store.ChunkRange;
import org.jspecify.annotations.Nullable;

/**
 * A range of keys as values to bind: a chunk's share of the key space, each bound a key
 * of every key column (a tuple for a composite key).
 *
 * @param start the first key (inclusive), or {@code null} for no lower bound
 * @param end the key after the last (exclusive), or {@code null} for no upper bound
 */
record KeyRange(@Nullable KeyValue start, @Nullable KeyValue end) {

	static KeyRange of(ChunkRange range, Key key) {
		return new KeyRange(key.parse(range.start()), key.parse(range.end()));
	}

}
