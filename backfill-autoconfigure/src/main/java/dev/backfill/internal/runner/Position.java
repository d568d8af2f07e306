package dev.backfill.internal.runner;

import dev.backfill.internal.store.Checkpoint;
import dev.backfill.internal.store.MigrationState;
import org.jspecify.annotations.Nullable;

/**
 * Where the worker stands: the last key as a value to bind, the checkpoint as saved, the
 * pass the cursor is on and whether the migration is done.
 *
 * @param lastKey the last key, each part typed for binding, or {@code null} before the
 * pass's first batch
 * @param checkpoint the checkpoint
 * @param completed whether no rows are left
 * @param pass the pass, from 1 (a sweep runs further passes from the first key)
 */
record Position(@Nullable KeyValue lastKey, Checkpoint checkpoint, boolean completed, int pass) {

	/** Before the first batch of a migration with no tracking row. */
	static final Position START = new Position(null, new Checkpoint(null, 0, 0), false, 1);

	static Position of(MigrationState state, Key key) {
		return new Position(key.parse(state.lastKey()),
				new Checkpoint(state.lastKey(), state.rowsProcessed(), state.batches()), state.isCompleted(),
				state.pass());
	}

	Position after(KeyValue lastKey, Key key, int rows, boolean last) {
		return new Position(lastKey, this.checkpoint.next(key.format(lastKey), rows), last, this.pass);
	}

	Position completedHere() {
		return new Position(this.lastKey, this.checkpoint, true, this.pass);
	}

	/** The start of the next pass, from the first key, keeping the counts. */
	Position nextPass() {
		return new Position(null, new Checkpoint(null, this.checkpoint.rowsProcessed(), this.checkpoint.batches()),
				false, this.pass + 1);
	}

}
