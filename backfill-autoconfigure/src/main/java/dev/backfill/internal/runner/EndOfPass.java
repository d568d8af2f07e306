package dev.backfill.internal.runner;

import java.time.Duration;

import dev.backfill.internal.settings.VerifySettings;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.internal.store.RunFigures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the cursor reaching the end of a pass comes to (the verify pass): in the last
 * batch's transaction, before anything is saved, count the rows the base query still
 * returns, rows inserted behind the cursor meanwhile (random keys, an older version of the
 * application still writing); then either mark the migration {@code COMPLETED} with that
 * count, or, with a sweep and passes left, start the next pass from the first key. Both
 * writes commit with the batch, so a crash before the commit redoes the batch and its
 * count, and one after it resumes the pass it saved.
 */
final class EndOfPass {

	private static final Logger logger = LoggerFactory.getLogger(EndOfPass.class);

	private final MigrationTarget target;

	private final VerifySettings settings;

	private final BatchQuery query;

	private final String owner;

	private final Duration leaseDuration;

	EndOfPass(MigrationTarget target, BatchQuery query, String owner, Duration leaseDuration) {
		this.target = target;
		this.settings = target.settings().verify();
		this.query = query;
		this.owner = owner;
		this.leaseDuration = leaseDuration;
	}

	/**
	 * Ends the pass in the last batch's transaction.
	 * @param from where the last batch started
	 * @param reached where it left the cursor: at the end of its pass
	 * @return the completed position, or the start of the next pass
	 * @throws LeaseLostException if the write was refused: the batch is rolled back
	 */
	Position finish(Position from, Position reached, RunFigures figures) {
		String name = this.target.name();
		MigrationStore store = this.target.database().store();
		Long remaining = this.settings.enabled() ? this.query.count(this.target.database().jdbc()) : null;
		if (this.settings.passAgain(reached.pass(), remaining)) {
			Position next = reached.nextPass();
			if (!store.startPass(name, this.owner, next.checkpoint(), from.checkpoint().batches(),
					this.leaseDuration, next.pass(), remaining)) {
				throw new LeaseLostException(name, this.owner);
			}
			logger.info("Backfill migration '{}': pass {} reached the end with {} rows of the base query left "
					+ "behind the cursor; pass {} of at most {} starts from the first key", name, reached.pass(),
					remaining, next.pass(), this.settings.maxPasses());
			return next;
		}
		if (!store.complete(name, this.owner, reached.checkpoint(), from.checkpoint().batches(), remaining, figures)) {
			throw new LeaseLostException(name, this.owner);
		}
		if (remaining != null && remaining > 0) {
			logger.warn(leftBehind(name, reached.pass(), remaining));
		}
		return reached;
	}

	private String leftBehind(String name, int pass, long remaining) {
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
