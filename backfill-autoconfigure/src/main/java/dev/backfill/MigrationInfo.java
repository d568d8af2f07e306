package dev.backfill;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * Where one migration stands, as {@link BackfillOperations} reports it: its row of the
 * tracking table, with the progress figures derived from it.
 *
 * @param name the migration's name (its bean name)
 * @param kind {@code DataMigration} or {@code SqlMigration}
 * @param dataSource the bean name of the DataSource it runs on
 * @param status its status
 * @param rowsProcessed rows migrated in committed batches
 * @param batches committed batches
 * @param lastKey the checkpoint: the key of the last row of the last committed batch, as
 * text, or {@code null} before the first
 * @param startedAt when it first started
 * @param updatedAt when its row last changed
 * @param completedAt when it completed
 * @param rowsPerSecond the recent rate, excluding time paused or throttled; {@code null}
 * when not running
 * @param estimatedTotal the rows expected, estimated when the run started
 * @param percent {@code rowsProcessed} of {@code estimatedTotal}, 0 to 100; 100 once
 * completed
 * @param eta the estimated time left while running
 * @param throttledTime time spent throttled
 * @param throttleReason why the last throttle waited, while throttled
 * @param lastError why it failed
 * @param owners the instances running it (one, or one per chunk owner when parallel)
 * @param chunks chunk progress when it runs in parallel chunks, else {@code null}
 * @param pausedBy who paused it, when paused ({@code null} if unknown)
 * @param pausedAt when it was paused
 * @param remainingRows rows the base query still returned when the cursor reached the end
 * (the verify pass); {@code null} before that
 * @since 0.1.0
 */
public record MigrationInfo(String name, String kind, String dataSource, MigrationStatus status, long rowsProcessed,
		long batches, @Nullable String lastKey, @Nullable Instant startedAt, @Nullable Instant updatedAt,
		@Nullable Instant completedAt, @Nullable Double rowsPerSecond, @Nullable Long estimatedTotal,
		@Nullable Double percent, @Nullable Duration eta, Duration throttledTime, @Nullable String throttleReason,
		@Nullable String lastError, List<String> owners, @Nullable ChunkProgress chunks, @Nullable String pausedBy,
		@Nullable Instant pausedAt, @Nullable Long remainingRows) {

	/**
	 * Progress of a migration that runs in parallel chunks.
	 *
	 * @param total the chunks its key space was split into
	 * @param completed chunks completed
	 * @param running chunks held by a live worker
	 * @since 0.1.0
	 */
	public record ChunkProgress(int total, int completed, int running) {
	}

}
