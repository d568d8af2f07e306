package dev.backfill.internal.runner;

import java.time.Duration;

import dev.backfill.internal.store.MigrationStore;
import dev.backfill.internal.store.RunFigures;

/**
 * What the cursor reaching the end of a pass comes to (the {@link VerifyPass verify
 * pass}): in the last batch's transaction, before anything is saved, count the rows the
 * base query still returns, rows inserted behind the cursor meanwhile (random keys, an
 * older version of the application still writing); then either mark the migration
 * {@code COMPLETED} with that count, or, with a sweep and passes left, start the next pass
 * from the first key. Both writes commit with the batch, so a crash before the commit
 * redoes the batch and its count, and one after it resumes the pass it saved.
 */
final class EndOfPass {

	private final MigrationTarget target;

	private final VerifyPass verify;

	private final String owner;

	private final Duration leaseDuration;

	EndOfPass(MigrationTarget target, BatchQuery query, String owner, Duration leaseDuration) {
		this.target = target;
		this.verify = new VerifyPass(target, query);
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
		Long remaining = this.verify.remainingRows();
		if (this.verify.passAgain(reached.pass(), remaining)) {
			Position next = reached.nextPass();
			if (!store.startPass(name, this.owner, next.checkpoint(), from.checkpoint().batches(),
					this.leaseDuration, next.pass(), remaining)) {
				throw new LeaseLostException(name, this.owner);
			}
			this.verify.nextPassStarted(reached.pass(), remaining);
			return next;
		}
		if (!store.complete(name, this.owner, reached.checkpoint(), from.checkpoint().batches(), remaining, figures)) {
			throw new LeaseLostException(name, this.owner);
		}
		this.verify.completed(reached.pass(), remaining);
		return reached;
	}

}
