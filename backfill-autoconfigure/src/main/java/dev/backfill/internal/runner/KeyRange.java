package dev.backfill.internal.runner;

import dev.backfill.internal.store.ChunkRange;
import org.jspecify.annotations.Nullable;

/**
 * A range of keys of one column as values to bind: a chunk's share of the key space.
 *
 * @param start the first key (inclusive), or {@code null} for no lower bound
 * @param end the key after the last (exclusive), or {@code null} for no upper bound
 */
record KeyRange(@Nullable Object start, @Nullable Object end) {

	static KeyRange of(ChunkRange range, Key key) {
		return new KeyRange(part(key.parse(range.start())), part(key.parse(range.end())));
	}

	private static @Nullable Object part(@Nullable KeyValue value) {
		return (value != null) ? value.parts().get(0) : null;
	}

}
