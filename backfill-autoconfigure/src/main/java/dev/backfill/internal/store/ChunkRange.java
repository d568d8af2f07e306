package dev.backfill.internal.store;

import org.jspecify.annotations.Nullable;

/**
 * A chunk's key range as it is written to the chunk table, in the checkpoint's text form.
 *
 * @param start the first key (inclusive), or {@code null} for no lower bound
 * @param end the key after the last (exclusive), or {@code null} for no upper bound
 *
 * @since 0.1.0
 */
public record ChunkRange(@Nullable String start, @Nullable String end) {

	/** The whole key space. */
	public static final ChunkRange ALL = new ChunkRange(null, null);

}
