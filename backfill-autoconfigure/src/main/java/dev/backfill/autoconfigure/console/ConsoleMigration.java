package dev.backfill.autoconfigure.console;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.backfill.MigrationInfo;
import dev.backfill.MigrationInfo.ChunkProgress;
import org.jspecify.annotations.Nullable;

/**
 * One migration as the console's page gets it: {@link MigrationInfo} with durations in
 * seconds, times as ISO-8601 text, and the actions whose buttons the page shows.
 *
 * @param actions the actions its status allows, as {@code pause}, {@code resume},
 * {@code retry}, {@code rerun}; none while the console's writes are closed
 */
record ConsoleMigration(String name, String kind, String dataSource, String status, long rowsProcessed, long batches,
		@Nullable Long estimatedTotal, @Nullable Double percent, @Nullable Double rowsPerSecond,
		@Nullable Long etaSeconds, long throttledSeconds, @Nullable String throttleReason, @Nullable String lastError,
		List<String> owners, @Nullable ChunkProgress chunks, @Nullable String lastKey, @Nullable String startedAt,
		@Nullable String updatedAt, @Nullable String completedAt, @Nullable String pausedBy,
		@Nullable String pausedAt, @Nullable Long remainingRows, List<String> actions) {

	static ConsoleMigration of(MigrationInfo info, boolean writesOpen) {
		return new ConsoleMigration(info.name(), info.kind(), info.dataSource(), info.status().name(),
				info.rowsProcessed(), info.batches(), info.estimatedTotal(), info.percent(), info.rowsPerSecond(),
				seconds(info.eta()), info.throttledTime().toSeconds(), info.throttleReason(), info.lastError(),
				info.owners(), info.chunks(), info.lastKey(), text(info.startedAt()), text(info.updatedAt()),
				text(info.completedAt()), info.pausedBy(), text(info.pausedAt()), info.remainingRows(),
				writesOpen ? ConsoleAction.allowedIn(info.status()) : List.of());
	}

	private static @Nullable Long seconds(@Nullable Duration duration) {
		return (duration != null) ? duration.toSeconds() : null;
	}

	private static @Nullable String text(@Nullable Instant instant) {
		return (instant != null) ? instant.toString() : null;
	}

}
