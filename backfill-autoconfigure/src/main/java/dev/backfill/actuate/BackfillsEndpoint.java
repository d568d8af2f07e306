package dev.backfill.actuate;

import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import dev.backfill.BackfillOperations;
import dev.backfill.MigrationInfo;
import dev.backfill.MigrationStateException;
import dev.backfill.UnknownMigrationException;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The Actuator endpoint {@code backfills}, a thin layer over {@link BackfillOperations}:
 * {@code GET /actuator/backfills} lists every migration, {@code GET
 * /actuator/backfills/{name}} shows one, and {@code POST /actuator/backfills/{name}} with
 * {@code {"action": "pause"}} (or {@code resume}, {@code retry}, {@code rerun}) acts on
 * one and answers its state afterwards. Its default access is read-only: the write
 * operation exists only once {@code management.endpoint.backfills.access=unrestricted}.
 * <p>
 * Times are ISO-8601 strings in UTC; durations are ISO-8601 strings with a number beside
 * them for scripts ({@code eta} and {@code etaSeconds}, {@code throttledTime} and
 * {@code throttledMillis}).
 *
 * @since 0.1.0
 */
@Endpoint(id = "backfills", defaultAccess = Access.READ_ONLY)
public class BackfillsEndpoint {

	/** The HTTP status of an action the migration's status does not allow. */
	static final int STATUS_CONFLICT = 409;

	private final BackfillOperations operations;

	/**
	 * Creates the endpoint.
	 * @param operations the operations it shows and acts through
	 */
	public BackfillsEndpoint(BackfillOperations operations) {
		this.operations = operations;
	}

	/**
	 * Every migration.
	 * @return the migrations, in the order they run
	 */
	@ReadOperation
	public BackfillsDescriptor migrations() {
		return new BackfillsDescriptor(this.operations.migrations().stream().map(MigrationDescriptor::of).toList());
	}

	/**
	 * One migration.
	 * @param name its name
	 * @return its state, or {@code null} (404) if there is no such migration
	 */
	@ReadOperation
	public @Nullable MigrationDescriptor migration(@Selector String name) {
		return this.operations.migration(name).map(MigrationDescriptor::of).orElse(null);
	}

	/**
	 * Acts on one migration.
	 * @param name its name
	 * @param action {@code pause}, {@code resume}, {@code retry} or {@code rerun}
	 * @param principal who asks, recorded as who paused it; {@code null} without
	 * authentication
	 * @return its state afterwards (200); 400 for an unknown action, 404 for an unknown
	 * migration, 409 with the reason when its status does not allow the action
	 */
	@WriteOperation
	public WebEndpointResponse<Object> act(@Selector String name, String action, @Nullable Principal principal) {
		try {
			MigrationInfo after = switch (action.toLowerCase(Locale.ROOT)) {
				case "pause" -> this.operations.pause(name, (principal != null) ? principal.getName() : null);
				case "resume" -> this.operations.resume(name);
				case "retry" -> this.operations.retry(name);
				case "rerun" -> this.operations.rerun(name);
				default -> null;
			};
			if (after == null) {
				return new WebEndpointResponse<>(new ActionRefused(name, action, null, "Unknown action '" + action
						+ "': use pause, resume, retry or rerun"), WebEndpointResponse.STATUS_BAD_REQUEST);
			}
			return new WebEndpointResponse<>(MigrationDescriptor.of(after));
		}
		catch (UnknownMigrationException ex) {
			return new WebEndpointResponse<>(new ActionRefused(name, action, null, ex.getMessage()),
					WebEndpointResponse.STATUS_NOT_FOUND);
		}
		catch (MigrationStateException ex) {
			return new WebEndpointResponse<>(new ActionRefused(name, action, ex.getStatus().name(), ex.getMessage()),
					STATUS_CONFLICT);
		}
	}

	/**
	 * Every migration, as {@code GET /actuator/backfills} answers.
	 *
	 * @param migrations the migrations, in the order they run
	 * @since 0.1.0
	 */
	public record BackfillsDescriptor(List<MigrationDescriptor> migrations) implements OperationResponseBody {
	}

	/**
	 * Why an action was refused.
	 *
	 * @param migration the migration named
	 * @param action the action asked for
	 * @param status the migration's status, when its status refused the action
	 * @param error why, in words
	 * @since 0.1.0
	 */
	public record ActionRefused(String migration, String action, @Nullable String status, String error)
			implements OperationResponseBody {
	}

	/**
	 * One migration as the endpoint shows it: {@link MigrationInfo} with its times as
	 * ISO-8601 text and its durations also as numbers.
	 *
	 * @param name the migration's name
	 * @param kind {@code DataMigration} or {@code SqlMigration}
	 * @param dataSource the bean name of its DataSource
	 * @param status its status
	 * @param rowsProcessed rows migrated
	 * @param batches batches committed
	 * @param lastKey its checkpoint
	 * @param startedAt when it first started
	 * @param updatedAt when its row last changed
	 * @param completedAt when it completed
	 * @param rowsPerSecond the recent rate while running
	 * @param estimatedTotal the rows expected
	 * @param percent percent done
	 * @param eta time left, ISO-8601
	 * @param etaSeconds time left in seconds
	 * @param throttledTime time spent throttled, ISO-8601
	 * @param throttledMillis time spent throttled in milliseconds
	 * @param throttleReason why the last throttle waited
	 * @param lastError why it failed
	 * @param owners the instances running it
	 * @param chunks chunk progress when parallel
	 * @param pausedBy who paused it
	 * @param pausedAt when it was paused
	 * @param remainingRows rows the verify pass found left
	 * @since 0.1.0
	 */
	public record MigrationDescriptor(String name, String kind, String dataSource, String status, long rowsProcessed,
			long batches, @Nullable String lastKey, @Nullable String startedAt, @Nullable String updatedAt,
			@Nullable String completedAt, @Nullable Double rowsPerSecond, @Nullable Long estimatedTotal,
			@Nullable Double percent, @Nullable String eta, @Nullable Long etaSeconds, String throttledTime,
			long throttledMillis, @Nullable String throttleReason, @Nullable String lastError, List<String> owners,
			MigrationInfo.@Nullable ChunkProgress chunks, @Nullable String pausedBy, @Nullable String pausedAt,
			@Nullable Long remainingRows) implements OperationResponseBody {

		static MigrationDescriptor of(MigrationInfo info) {
			Duration eta = info.eta();
			return new MigrationDescriptor(info.name(), info.kind(), info.dataSource(), info.status().name(),
					info.rowsProcessed(), info.batches(), info.lastKey(), text(info.startedAt()),
					text(info.updatedAt()), text(info.completedAt()), info.rowsPerSecond(), info.estimatedTotal(),
					info.percent(), (eta != null) ? eta.toString() : null, (eta != null) ? eta.toSeconds() : null,
					info.throttledTime().toString(), info.throttledTime().toMillis(), info.throttleReason(),
					info.lastError(), info.owners(), info.chunks(), info.pausedBy(), text(info.pausedAt()),
					info.remainingRows());
		}

		private static @Nullable String text(@Nullable Instant instant) {
			return (instant != null) ? instant.toString() : null;
		}

	}

}
