package dev.backfill.internal.operations;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import javax.sql.DataSource;

import dev.backfill.BackfillOperations;
import dev.backfill.MigrationInfo;
import dev.backfill.MigrationStateException;
import dev.backfill.MigrationStatus;
import dev.backfill.UnknownMigrationException;
import dev.backfill.internal.progress.ChunkFigures;
import dev.backfill.internal.progress.MigrationFigures;
import dev.backfill.internal.progress.Progress;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.store.MigrationState;
import dev.backfill.internal.store.MigrationStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link BackfillOperations} over the tracking tables of the migrations' DataSources: it
 * reads their rows and changes them with the store's conditioned writes, so an action
 * takes effect on every instance, and of two operators acting at once one wins and the
 * other is told what the migration has become.
 *
 * @since 0.1.0
 */
public final class TrackingTableOperations implements BackfillOperations {

	private static final Logger logger = LoggerFactory.getLogger(TrackingTableOperations.class);

	/** A status another operator changed meanwhile is read again this often before giving up. */
	private static final int ATTEMPTS = 3;

	private final Map<String, MigrationTarget> targets = new LinkedHashMap<>();

	private final Function<DataSource, String> dataSourceNames;

	/**
	 * Creates the operations.
	 * @param targets every migration, in the order they run
	 * @param dataSourceNames the bean name of a migration's DataSource
	 */
	public TrackingTableOperations(List<MigrationTarget> targets, Function<DataSource, String> dataSourceNames) {
		targets.forEach((target) -> this.targets.put(target.name(), target));
		this.dataSourceNames = dataSourceNames;
	}

	@Override
	public List<MigrationInfo> migrations() {
		// One query per tracking table, not per migration.
		Map<MigrationStore, Map<String, MigrationState>> rows = new IdentityHashMap<>();
		List<MigrationInfo> migrations = new ArrayList<>();
		for (MigrationTarget target : this.targets.values()) {
			MigrationState state = rows.computeIfAbsent(target.database().store(), MigrationStore::findAll)
				.get(target.name());
			migrations.add(info(target, state));
		}
		return migrations;
	}

	@Override
	public Optional<MigrationInfo> migration(String name) {
		MigrationTarget target = this.targets.get(name);
		if (target == null) {
			return Optional.empty();
		}
		return Optional.of(info(target, target.database().store().find(name).orElse(null)));
	}

	@Override
	public MigrationInfo pause(String name, @Nullable String pausedBy) {
		return change(name, "pause", "PENDING or RUNNING",
				(status) -> status == MigrationStatus.PENDING || status == MigrationStatus.RUNNING,
				MigrationStatus.PAUSED, (database) -> database.store().pause(name, pausedBy));
	}

	@Override
	public MigrationInfo resume(String name) {
		return change(name, "resume", "PAUSED", (status) -> status == MigrationStatus.PAUSED, null,
				(database) -> database.store().resume(name));
	}

	@Override
	public MigrationInfo retry(String name) {
		return change(name, "retry", "FAILED", (status) -> status == MigrationStatus.FAILED, null,
				(database) -> database.store().retry(name));
	}

	@Override
	public MigrationInfo rerun(String name) {
		return change(name, "rerun", "COMPLETED", (status) -> status == MigrationStatus.COMPLETED, null,
				// Its chunks go with its checkpoint, in the same transaction: a later run in chunks must
				// not take the old completed ones for its own.
				(database) -> database.chunks().rerun(name, () -> database.store().rerun(name)));
	}

	/**
	 * Applies a conditioned write. When it changes nothing, the row is read again: in the
	 * status the action leads to, it is done (pausing a paused migration); in one it needs,
	 * another operator's change came in between and the write is tried again; else refused.
	 */
	private MigrationInfo change(String name, String action, String allowed, Predicate<MigrationStatus> allows,
			@Nullable MigrationStatus idempotentIn, Predicate<MigrationDatabase> write) {
		MigrationTarget target = this.targets.get(name);
		if (target == null) {
			throw new UnknownMigrationException(name, this.targets.keySet());
		}
		MigrationStore store = target.database().store();
		for (int attempt = 1;; attempt++) {
			MigrationState state = store.findOrCreate(name);
			if (state.status() == idempotentIn) {
				return info(target, state);
			}
			if (!allows.test(state.status()) || attempt > ATTEMPTS) {
				throw new MigrationStateException(name, action, state.status(), allowed);
			}
			if (write.test(target.database())) {
				MigrationState after = store.find(name).orElseThrow();
				logger.info("Backfill migration '{}': {} ({} -> {}){}", name, action, state.status(),
						after.status(), (after.pausedBy() != null) ? " by " + after.pausedBy() : "");
				return info(target, after);
			}
		}
	}

	private MigrationInfo info(MigrationTarget target, @Nullable MigrationState state) {
		String dataSource = this.dataSourceNames.apply(target.database().dataSource());
		if (state == null) {
			return new MigrationInfo(target.name(), target.kind(), dataSource, MigrationStatus.PENDING, 0, 0, null,
					null, null, null, null, null, null, null, Duration.ZERO, null, null, List.of(), null, null, null,
					null);
		}
		MigrationFigures figures = MigrationFigures.of(state, target.database().chunks(),
				target.settings().parallelism(), Instant.now());
		Progress progress = figures.progress();
		ChunkFigures chunks = figures.chunks();
		List<String> owners;
		if (chunks != null) {
			owners = chunks.owners();
		}
		else {
			// Also while paused, until the worker has let go after its batch in flight.
			owners = (state.leaseOwner() != null) ? List.of(state.leaseOwner()) : List.of();
		}
		return new MigrationInfo(state.name(), target.kind(), dataSource, state.status(), progress.rowsProcessed(),
				figures.batches(), state.lastKey(), state.startedAt(), state.updatedAt(), state.completedAt(),
				progress.rowsPerSecond(), state.estimatedTotal(), progress.percent(), progress.eta(),
				Duration.ofMillis(figures.throttledMillis()), figures.throttleReason(), state.lastError(), owners,
				(chunks != null) ? chunks.progress() : null, state.pausedBy(), state.pausedAt(), state.remainingRows());
	}

}
