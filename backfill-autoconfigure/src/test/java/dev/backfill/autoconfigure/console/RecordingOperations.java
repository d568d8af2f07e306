package dev.backfill.autoconfigure.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.backfill.BackfillOperations;
import dev.backfill.MigrationInfo;
import dev.backfill.MigrationStateException;
import dev.backfill.MigrationStatus;
import dev.backfill.UnknownMigrationException;
import org.jspecify.annotations.Nullable;

/**
 * A test double of {@link BackfillOperations} for the console's controller: fixed
 * migrations, actions that change their status as the real API's would and are recorded
 * as {@code pause emailDomain by alice}.
 */
class RecordingOperations implements BackfillOperations {

	static final Instant STARTED = Instant.parse("2026-01-02T03:04:05Z");

	private final Map<String, MigrationInfo> migrations = new LinkedHashMap<>();

	final List<String> calls = new ArrayList<>();

	RecordingOperations() {
		add(info("emailDomain", MigrationStatus.RUNNING, 45_000, 200_000L, 45.0 / 2, 1500.0, Duration.ofSeconds(103),
				null, null));
		add(info("onboardingStep", MigrationStatus.PENDING, 0, null, null, null, null, null, null));
		add(info("legacyCleanup", MigrationStatus.FAILED, 10, 20L, 50.0, null, null, "batch (10, 20] failed", null));
		add(info("chunked", MigrationStatus.COMPLETED, 20, 20L, 100.0, null, null, null,
				new MigrationInfo.ChunkProgress(4, 4, 0)));
		add(info("paused", MigrationStatus.PAUSED, 5, 10L, 50.0, null, null, null, null));
	}

	static MigrationInfo info(String name, MigrationStatus status, long rows, @Nullable Long total,
			@Nullable Double percent, @Nullable Double rate, @Nullable Duration eta, @Nullable String error,
			MigrationInfo.@Nullable ChunkProgress chunks) {
		return new MigrationInfo(name, "DataMigration", "dataSource", status, rows, rows / 1000, null, STARTED, STARTED,
				null, rate, total, percent, eta, Duration.ofSeconds(7), (status == MigrationStatus.RUNNING)
						? "replication lag 3s" : null, error, List.of(), chunks, null, null, null);
	}

	private void add(MigrationInfo info) {
		this.migrations.put(info.name(), info);
	}

	@Override
	public List<MigrationInfo> migrations() {
		return List.copyOf(this.migrations.values());
	}

	@Override
	public Optional<MigrationInfo> migration(String name) {
		return Optional.ofNullable(this.migrations.get(name));
	}

	@Override
	public MigrationInfo pause(String name, @Nullable String pausedBy) {
		this.calls.add("pause " + name + " by " + pausedBy);
		return change(name, "pause", "PENDING or RUNNING", MigrationStatus.PAUSED, MigrationStatus.PENDING,
				MigrationStatus.RUNNING);
	}

	@Override
	public MigrationInfo resume(String name) {
		this.calls.add("resume " + name);
		return change(name, "resume", "PAUSED", MigrationStatus.PENDING, MigrationStatus.PAUSED);
	}

	@Override
	public MigrationInfo retry(String name) {
		this.calls.add("retry " + name);
		return change(name, "retry", "FAILED", MigrationStatus.PENDING, MigrationStatus.FAILED);
	}

	@Override
	public MigrationInfo rerun(String name) {
		this.calls.add("rerun " + name);
		return change(name, "rerun", "COMPLETED", MigrationStatus.PENDING, MigrationStatus.COMPLETED);
	}

	private MigrationInfo change(String name, String action, String allowed, MigrationStatus to,
			MigrationStatus... from) {
		MigrationInfo info = migration(name).orElseThrow(() -> new UnknownMigrationException(name,
				this.migrations.keySet()));
		if (!List.of(from).contains(info.status())) {
			throw new MigrationStateException(name, action, info.status(), allowed);
		}
		MigrationInfo changed = info(name, to, info.rowsProcessed(), info.estimatedTotal(), info.percent(), null,
				null, null, info.chunks());
		add(changed);
		return changed;
	}

}
