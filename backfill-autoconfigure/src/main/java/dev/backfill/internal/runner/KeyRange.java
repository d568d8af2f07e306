package dev.backfill.internal.runner;

import dev.backfill.internal.store.ChunkRange;
import org.jspecify.annotations.Nullable;

/**
 * A range of keys as values to bind: a chunk's share of the key space.
 *
 * @param start the first key (inclusive), or {@code null} for no lower bound
 * @param end the key after the last (exclusive), or {@code null} for no upper bound
 */
record KeyRange(@Nullable Object start, @Nullable Object end) {

	static KeyRange of(ChunkRange range, KeyType keyType) {
		return new KeyRange(keyType.parse(range.start()), keyType.parse(range.end()));
	}

}
