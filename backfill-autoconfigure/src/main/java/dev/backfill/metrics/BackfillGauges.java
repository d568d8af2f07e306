package dev.backfill.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.backfill.MigrationStatus;
import dev.backfill.internal.progress.MigrationFigures;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.store.MigrationState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;

/**
 * Gauges read from the tracking rows (and the chunk rows of a migration run in chunks), so
 * every instance shows the same figures whichever runs the migration:
 * {@code backfill.progress} (tag {@code migration}: the share done of the estimated total,
 * 0 to 1, 1 once completed) and {@code backfill.migrations} (tag
 * {@code status}: how many of this application's migrations have each status; one with no
 * row yet counts as {@code PENDING}). The rows are read at most every {@link #MAX_AGE},
 * whatever the scrape rate; a row that cannot be read makes the gauges NaN until it can.
 *
 * @since 0.1.0
 */
public final class BackfillGauges {

	/** Name of the gauge of the share done. */
	public static final String PROGRESS = "backfill.progress";

	/** Name of the gauge of migrations by status. */
	public static final String MIGRATIONS = "backfill.migrations";

	/** How old the rows read may be before they are read again. */
	public static final Duration MAX_AGE = Duration.ofSeconds(5);

	private static final Logger logger = LoggerFactory.getLogger(BackfillGauges.class);

	private final List<MigrationTarget> targets;

	private final Duration maxAge;

	private Map<String, Optional<Row>> rows = Map.of();

	private long readNanos;

	private boolean read;

	/**
	 * Registers the gauges of the migrations.
	 * @param registry the registry
	 * @param targets the migrations
	 */
	public BackfillGauges(MeterRegistry registry, List<MigrationTarget> targets) {
		this(registry, targets, MAX_AGE);
	}

	BackfillGauges(MeterRegistry registry, List<MigrationTarget> targets, Duration maxAge) {
		this.targets = List.copyOf(targets);
		this.maxAge = maxAge;
		for (MigrationTarget target : this.targets) {
			Gauge.builder(PROGRESS, this, (gauges) -> gauges.progress(target.name()))
				.description("Share of a backfill migration's estimated total done, 0 to 1")
				.tag("migration", target.name())
				.strongReference(true)
				.register(registry);
		}
		for (MigrationStatus status : MigrationStatus.values()) {
			Gauge.builder(MIGRATIONS, this, (gauges) -> gauges.count(status))
				.description("Backfill migrations with a status")
				.tag("status", status.name())
				.strongReference(true)
				.register(registry);
		}
	}

	private double progress(String migration) {
		Map<String, Optional<Row>> rows = rows();
		if (rows == null) {
			return Double.NaN;
		}
		Optional<Row> row = rows.getOrDefault(migration, Optional.empty());
		if (row.isEmpty()) {
			return 0;
		}
		Double percent = row.get().figures().progress().percent();
		return (percent != null) ? percent / 100 : Double.NaN;
	}

	private double count(MigrationStatus status) {
		Map<String, Optional<Row>> rows = rows();
		if (rows == null) {
			return Double.NaN;
		}
		Map<MigrationStatus, Integer> counts = new EnumMap<>(MigrationStatus.class);
		rows.values()
			.forEach((row) -> counts.merge(row.map((read) -> read.state().status()).orElse(MigrationStatus.PENDING),
					1, Integer::sum));
		return counts.getOrDefault(status, 0);
	}

	/** The rows, read again when older than the maximum age; {@code null} if they cannot be read. */
	private synchronized Map<String, Optional<Row>> rows() {
		long now = System.nanoTime();
		if (this.read && now - this.readNanos < this.maxAge.toNanos()) {
			return this.rows;
		}
		this.read = true;
		this.readNanos = now;
		Map<String, Optional<Row>> rows = new LinkedHashMap<>();
		try {
			for (MigrationTarget target : this.targets) {
				// A migration run in chunks counts the rows of its running chunks too.
				rows.put(target.name(), target.database().store().find(target.name()).map((state) -> new Row(state,
						MigrationFigures.of(state, target.database().chunks(), target.settings().parallelism(),
								Instant.now()))));
			}
			this.rows = rows;
		}
		catch (DataAccessException ex) {
			logger.debug("Could not read the backfill tracking rows for the gauges: {}", ex.getMessage());
			this.rows = null;
		}
		return this.rows;
	}

	/** A migration's tracking row and the figures read with it. */
	private record Row(MigrationState state, MigrationFigures figures) {
	}

}
