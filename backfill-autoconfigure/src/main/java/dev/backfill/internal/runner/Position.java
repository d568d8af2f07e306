package dev.backfill.internal.runner;

import dev.backfill.internal.store.Checkpoint;
import dev.backfill.internal.store.MigrationState;
import org.jspecify.annotations.Nullable;

/**
 * Where the worker stands: the last key as a value to bind, the checkpoint as saved, and
 * whether the migration is done.
 *
 * @param lastKey the last key, each part typed for binding, or {@code null} before the first batch
 * @param checkpoint the checkpoint
 * @param completed whether no rows are left
 */
record Position(@Nullable KeyValue lastKey, Checkpoint checkpoint, boolean completed) {

	static Position of(MigrationState state, Key key) {
		return new Position(key.parse(state.lastKey()),
				new Checkpoint(state.lastKey(), state.rowsProcessed(), state.batches()), state.isCompleted());
	}

	Position after(KeyValue lastKey, Key key, int rows, boolean last) {
		return new Position(lastKey, this.checkpoint.next(key.format(lastKey), rows), last);
	}

	Position completedHere() {
		return new Position(this.lastKey, this.checkpoint, true);
	}

}
