package dev.backfill.internal.runner;

import dev.backfill.internal.store.Checkpoint;
import dev.backfill.internal.store.MigrationState;
import org.jspecify.annotations.Nullable;

/**
 * Where the worker stands: the last key as a value to bind, the checkpoint as saved, and
 * whether the migration is done.
 *
 * @param lastKey the last key, typed for binding, or {@code null} before the first batch
 * @param checkpoint the checkpoint
 * @param completed whether no rows are left
 */
record Position(@Nullable Object lastKey, Checkpoint checkpoint, boolean completed) {

	static Position of(MigrationState state, KeyType keyType) {
		return new Position(keyType.parse(state.lastKey()),
				new Checkpoint(state.lastKey(), state.rowsProcessed(), state.batches()), state.isCompleted());
	}

	Position after(Object key, KeyType keyType, int rows, boolean last) {
		return new Position(key, this.checkpoint.next(keyType.format(key), rows), last);
	}

	Position completedHere() {
		return new Position(this.lastKey, this.checkpoint, true);
	}

}
