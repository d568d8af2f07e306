package dev.backfill.health;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.store.MigrationState;
import dev.backfill.MigrationStatus;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.core.NestedExceptionUtils;

/**
 * Health indicator {@code backfill}: each migration's tracking row in its details, read
 * from the migration's own database when health is asked for (never on the batches' path).
 * <p>
 * It is {@code UP} whatever the migrations' state, so that a failed backfill does not get
 * the application restarted by its orchestrator, unless {@code failedIsDown} makes a
 * {@code FAILED} migration {@code DOWN}. A tracking row that cannot be read makes it
 * {@code UNKNOWN}, with the database's error in that migration's details: an unreachable
 * database is Spring Boot's {@code db} indicator's to report as {@code DOWN}, and
 * {@code UNKNOWN} does not lower the aggregate status.
 *
 * @since 0.1.0
 */
public final class BackfillHealthIndicator implements HealthIndicator {

	/** The longest {@code lastError} shown; the tracking table holds the whole text. */
	static final int MAX_ERROR_LENGTH = 500;

	private static final Logger logger = LoggerFactory.getLogger(BackfillHealthIndicator.class);

	private final Supplier<BackfillRunner> runner;

	private final boolean failedIsDown;

	/**
	 * Creates the indicator.
	 * @param runner the runner whose migrations it reports, looked up when health is asked
	 * for (the runner may depend on health itself, through a health-indicator throttle)
	 * @param failedIsDown whether a {@code FAILED} migration makes it {@code DOWN}
	 */
	public BackfillHealthIndicator(Supplier<BackfillRunner> runner, boolean failedIsDown) {
		this.runner = runner;
		this.failedIsDown = failedIsDown;
	}

	@Override
	public Health health() {
		Map<String, Object> details = new LinkedHashMap<>();
		boolean failed = false;
		boolean unreadable = false;
		for (MigrationTarget target : this.runner.get().targets()) {
			Map<String, Object> migration = new LinkedHashMap<>();
			try {
				Optional<MigrationState> state = target.database().store().find(target.name());
				// No row yet: the runner has not reached it on any instance.
				describe(migration, state.orElse(null));
				failed |= state.map((row) -> row.status() == MigrationStatus.FAILED).orElse(false);
			}
			catch (RuntimeException ex) {
				unreadable = true;
				logger.debug("Cannot read the tracking row of migration '{}'", target.name(), ex);
				migration.put("error", "Cannot read the tracking row from table '"
						+ target.database().store().table() + "': "
						+ NestedExceptionUtils.getMostSpecificCause(ex).getMessage());
			}
			if (!target.settings().enabled()) {
				migration.put("enabled", false);
			}
			details.put(target.name(), migration);
		}
		Status status = (failed && this.failedIsDown) ? Status.DOWN : unreadable ? Status.UNKNOWN : Status.UP;
		return Health.status(status).withDetails(details).build();
	}

	private static void describe(Map<String, Object> migration, @Nullable MigrationState state) {
		if (state == null) {
			migration.put("status", MigrationStatus.PENDING.name());
			return;
		}
		migration.put("status", state.status().name());
		migration.put("rowsProcessed", state.rowsProcessed());
		migration.put("batches", state.batches());
		putIfSet(migration, "lastKey", state.lastKey());
		putIfSet(migration, "startedAt", state.startedAt());
		putIfSet(migration, "updatedAt", state.updatedAt());
		putIfSet(migration, "completedAt", state.completedAt());
		putIfSet(migration, "lastError", truncate(state.lastError()));
		putIfSet(migration, "leaseOwner", state.leaseOwner());
		putIfSet(migration, "leaseExpiresAt", state.leaseExpiresAt());
	}

	private static void putIfSet(Map<String, Object> migration, String key, @Nullable Object value) {
		if (value != null) {
			// Instants as ISO-8601 text, whatever the JSON mapper's date settings.
			migration.put(key, (value instanceof Instant instant) ? instant.toString() : value);
		}
	}

	private static @Nullable String truncate(@Nullable String error) {
		return (error != null && error.length() > MAX_ERROR_LENGTH) ? error.substring(0, MAX_ERROR_LENGTH) + "…"
				: error;
	}

}
