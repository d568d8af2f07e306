package dev.backfill.internal.runner;

import dev.backfill.internal.settings.VerifySettings;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The verify pass as a run as one keyset walk and a run in chunks share it: when a pass
 * ends, count the rows the base query still returns (rows inserted behind the cursors
 * meanwhile), decide whether a sweep runs another pass, and say what came of it. Where
 * the count and the write that ends the pass run, and what fences that write, is the
 * caller's.
 */
final class VerifyPass {

	private static final Logger logger = LoggerFactory.getLogger(VerifyPass.class);

	private final MigrationTarget target;

	private final VerifySettings settings;

	private final BatchQuery query;

	VerifyPass(MigrationTarget target, BatchQuery query) {
		this.target = target;
		this.settings = target.settings().verify();
		this.query = query;
	}

	/**
	 * Whether the end of a pass counts the rows left ({@code verify}).
	 * @return whether {@link #remainingRows()} runs a statement
	 */
	boolean counts() {
		return this.settings.enabled();
	}

	/**
	 * Counts the rows the base query still returns, joining the caller's transaction: one
	 * scan of the base query, none with {@code verify=false}.
	 * @return the count, or {@code null} when the migration does not verify
	 */
	@Nullable Long remainingRows() {
		return counts() ? this.query.count(this.target.database().jdbc()) : null;
	}

	/**
	 * Whether another pass follows one that left rows behind.
	 * @param pass the pass that ended, from 1
	 * @param remaining the rows it left, or {@code null} when not counted
	 * @return whether to start pass {@code pass + 1}
	 */
	boolean passAgain(int pass, @Nullable Long remaining) {
		return this.settings.passAgain(pass, remaining);
	}

	/**
	 * Logs the start of the next pass, once it is saved.
	 * @param ended the pass that ended
	 * @param remaining the rows it left behind
	 */
	void nextPassStarted(int ended, long remaining) {
		logger.info("Backfill migration '{}': pass {} reached the end with {} rows of the base query left behind the "
				+ "cursor; pass {} of at most {} starts from the first key", this.target.name(), ended, remaining,
				ended + 1, this.settings.maxPasses());
	}

	/**
	 * Warns of the rows the last pass left behind, if any, once the migration is saved
	 * {@code COMPLETED}.
	 * @param pass the last pass
	 * @param remaining the rows it left, or {@code null} when not counted
	 */
	void completed(int pass, @Nullable Long remaining) {
		if (remaining != null && remaining > 0) {
			logger.warn(leftBehind(pass, remaining));
		}
	}

	private String leftBehind(int pass, long remaining) {
		String name = this.target.name();
		String found = "Backfill migration '" + name + "' completed, but its base query still returns " + remaining
				+ " rows (recorded as remaining_rows), inserted or changed behind the cursor while it ran";
		if (this.settings.sweep()) {
			return found + "; the sweep stopped after " + pass + " passes (max-passes " + this.settings.maxPasses()
					+ "). If the base query returns migrated rows too, make it exclude them; otherwise raise "
					+ "backfill.migrations." + name + ".max-passes, or migrate them by a rerun";
		}
		return found + ". Enable backfill.migrations." + name + ".sweep to migrate them in further passes, or "
				+ "make the base query exclude migrated rows if it returns them too (or set verify=false if the "
				+ "count means nothing for this migration)";
	}

}
