package dev.backfill.autoconfigure.throttle;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

import javax.sql.DataSource;

import dev.backfill.BackfillThrottle;
import dev.backfill.ThrottleContext;
import dev.backfill.ThrottleDecision;
import dev.backfill.internal.runner.MigrationDatabase;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Holds batches back while the replication lag of the migration's database is above a
 * limit ({@code backfill.throttle-on.replication-lag}), with reason
 * {@value #REASON}. The lag is what the primary reports (on PostgreSQL the greatest
 * {@code replay_lag} of {@code pg_stat_replication}), read at most once per check
 * interval and per DataSource, so it adds no statement per batch. Where the primary cannot
 * tell (MariaDB, MySQL, H2) it does not apply: that is logged once and batches go on.
 *
 * @since 0.1.0
 */
public final class ReplicationLagThrottle implements BackfillThrottle {

	/** The reason of its waits. */
	public static final String REASON = "replication-lag";

	private static final Logger logger = LoggerFactory.getLogger(ReplicationLagThrottle.class);

	private final Duration maxLag;

	private final Duration checkInterval;

	private final LagSource source;

	private final LongSupplier nanoClock;

	private final Map<DataSource, Sample> samples = new IdentityHashMap<>();

	/**
	 * Creates the throttle, reading the lag with the dialect's query.
	 * @param maxLag the lag above which batches wait
	 * @param checkInterval how long a reading holds, and how long a batch waits
	 */
	public ReplicationLagThrottle(Duration maxLag, Duration checkInterval) {
		this(maxLag, checkInterval, new DialectLagSource(), System::nanoTime);
	}

	ReplicationLagThrottle(Duration maxLag, Duration checkInterval, LagSource source, LongSupplier nanoClock) {
		this.maxLag = maxLag;
		this.checkInterval = checkInterval;
		this.source = source;
		this.nanoClock = nanoClock;
	}

	@Override
	public synchronized ThrottleDecision decide(ThrottleContext context) {
		Sample sample = this.samples.computeIfAbsent(context.dataSource(), (dataSource) -> new Sample());
		if (sample.notApplicable) {
			return ThrottleDecision.go();
		}
		long now = this.nanoClock.getAsLong();
		if (sample.decision == null || now - sample.readNanos >= this.checkInterval.toNanos()) {
			Optional<Duration> lag = this.source.lagOf(context.dataSource());
			if (lag.isEmpty()) {
				sample.notApplicable = true;
				logger.warn("backfill.throttle-on.replication-lag does not apply to migration '{}': its database "
						+ "does not report replication lag on the primary; its batches are not throttled on it",
						context.migration());
				return ThrottleDecision.go();
			}
			sample.decision = decide(context.migration(), lag.get());
			sample.readNanos = now;
		}
		return sample.decision;
	}

	private ThrottleDecision decide(String migration, Duration lag) {
		if (lag.compareTo(this.maxLag) <= 0) {
			return ThrottleDecision.go();
		}
		logger.debug("Backfill migration '{}': replication lag {} ms is above {} ms", migration, lag.toMillis(),
				this.maxLag.toMillis());
		return ThrottleDecision.waitFor(this.checkInterval, REASON);
	}

	@Override
	public String toString() {
		return "ReplicationLagThrottle[max " + this.maxLag + "]";
	}

	/** Where the lag comes from. */
	interface LagSource {

		/**
		 * Reads the replication lag.
		 * @param dataSource the database's DataSource
		 * @return the lag, empty where the database cannot tell it
		 */
		Optional<Duration> lagOf(DataSource dataSource);

	}

	/** The dialect's query, found once per DataSource. */
	static final class DialectLagSource implements LagSource {

		private final Map<DataSource, Optional<String>> queries = new IdentityHashMap<>();

		@Override
		public Optional<Duration> lagOf(DataSource dataSource) {
			Optional<String> query = this.queries.computeIfAbsent(dataSource,
					(source) -> Optional.ofNullable(MigrationDatabase.dialectOf(source).replicationLagSql()));
			if (query.isEmpty()) {
				return Optional.empty();
			}
			Number millis = new JdbcTemplate(dataSource).queryForObject(query.get(), Number.class);
			if (millis == null) {
				throw new IllegalStateException("Cannot read the replication lag: the database user may not see "
						+ "the replicas' state (on PostgreSQL, grant it pg_read_all_stats), or unset "
						+ "backfill.throttle-on.replication-lag");
			}
			return Optional.of(Duration.ofNanos(Math.round(millis.doubleValue() * 1_000_000)));
		}

	}

	private static final class Sample {

		private boolean notApplicable;

		private @Nullable ThrottleDecision decision;

		private long readNanos;

	}

}
