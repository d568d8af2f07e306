package dev.backfill.internal.settings;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

import dev.backfill.internal.store.MigrationStore;
import org.jspecify.annotations.Nullable;

/**
 * The rule of each setting, in one place: {@code DataMigrationConfig}'s builder, the
 * global {@code backfill.*} properties and the per-migration
 * {@code backfill.migrations.<name>.*} properties all check a value with the same rule
 * and report it with the same reason, so a value is valid from every source or from none.
 * Defaults are the {@code backfill.*} properties' (see {@code BackfillProperties}), but
 * for the two settings that have no property: the key columns ({@link #DEFAULT_KEY_COLUMNS})
 * and the DataSource (the primary one). {@code transactional}, {@code batch-size-mode},
 * {@code dry-run}, {@code verify} and {@code sweep} have no rule of their own: every value
 * is valid (but {@code sweep} needs {@code verify}, see {@link #sweepProblem}).
 *
 * @param <T> the value's type
 *
 * @since 0.1.0
 */
public final class Setting<T> {

	/** Rows per batch. */
	public static final Setting<Integer> BATCH_SIZE = new Setting<>("batchSize", "batch-size", (size) -> size >= 1,
			"must be at least 1");

	/** Pause between two batches. */
	public static final Setting<Duration> THROTTLE = new Setting<>("throttle", "throttle",
			(pause) -> !pause.isNegative(), "must not be negative");

	/**
	 * Columns ordering and resuming a migration, most significant first (one, or several
	 * for a composite key); set in {@code config()} only, no property.
	 */
	public static final Setting<List<String>> KEY_COLUMNS = new Setting<>("keyColumns", "key-columns",
			Setting::areDistinctPlainIdentifiers,
			"must name one or more distinct columns, each a plain SQL identifier (a letter or underscore, then "
					+ "letters, digits or underscores, at most 63)");

	/** The key column of a migration that names none. */
	public static final List<String> DEFAULT_KEY_COLUMNS = List.of("id");

	/** Bean name of a migration's DataSource; set in {@code config()} only, no property. */
	public static final Setting<String> DATA_SOURCE = new Setting<>("dataSource", "data-source",
			(name) -> !name.isBlank(), "must not be blank");

	/**
	 * The longest timeout a batch can be given: the databases take whole milliseconds in
	 * an int (PostgreSQL refuses more than 2^31-1 ms, about 24.8 days, once the batch runs).
	 */
	public static final Duration MAX_TIMEOUT = Duration.ofDays(24);

	/** Longest a statement of a batch may run. */
	public static final Setting<Duration> STATEMENT_TIMEOUT = new Setting<>("statementTimeout", "statement-timeout",
			(timeout) -> isBetween(timeout, Duration.ofMillis(1), MAX_TIMEOUT),
			"must be at least 1ms and at most 24d (leave it unset for no limit)");

	/** Longest a statement of a batch may wait for a lock. */
	public static final Setting<Duration> LOCK_TIMEOUT = new Setting<>("lockTimeout", "lock-timeout",
			(timeout) -> isBetween(timeout, Duration.ofMillis(1), MAX_TIMEOUT),
			"must be at least 1ms and at most 24d (leave it unset for the database's own)");

	/** Batch time an adaptive batch size aims at. */
	public static final Setting<Duration> TARGET_BATCH_DURATION = new Setting<>("targetBatchDuration",
			"target-batch-duration", (target) -> isBetween(target, Duration.ofMillis(1), MAX_TIMEOUT),
			"must be at least 1ms and at most 24d");

	/** Fewest rows an adaptive batch size chooses. */
	public static final Setting<Integer> MIN_BATCH_SIZE = new Setting<>("minBatchSize", "min-batch-size",
			(size) -> size >= 1, "must be at least 1");

	/** Most rows an adaptive batch size chooses; never below the minimum ({@link #batchSizeRangeProblem}). */
	public static final Setting<Integer> MAX_BATCH_SIZE = new Setting<>("maxBatchSize", "max-batch-size",
			(size) -> size >= 1, "must be at least 1");

	/** Whether a migration counts the rows its base query still returns at the end of a pass. */
	public static final Setting<Boolean> VERIFY = new Setting<>("verify", "verify", (verify) -> true, "");

	/** Whether a migration runs further passes while rows are left; needs {@link #VERIFY}. */
	public static final Setting<Boolean> SWEEP = new Setting<>("sweep", "sweep", (sweep) -> true, "");

	/** The most passes a sweep runs, the first included. */
	public static final Setting<Integer> MAX_PASSES = new Setting<>("maxPasses", "max-passes",
			(passes) -> passes >= 1, "must be at least 1");

	/** How long a lease holds without renewal; also each batch's idle-transaction timeout. */
	public static final Setting<Duration> LEASE_DURATION = new Setting<>("leaseDuration", "lease-duration",
			(lease) -> isBetween(lease, Duration.ofSeconds(1), MAX_TIMEOUT), "must be at least 1s and at most 24d");

	/** How long blocking mode waits for another instance's migration. */
	public static final Setting<Duration> LOCK_WAIT_TIMEOUT = new Setting<>("lockWaitTimeout", "lock-wait-timeout",
			(wait) -> !wait.isNegative(), "must not be negative");

	/** Attempts of a batch, the first included. */
	public static final Setting<Integer> RETRY_MAX_ATTEMPTS = new Setting<>("retryMaxAttempts",
			"retry.max-attempts", (attempts) -> attempts >= 1, "must be at least 1");

	/** Pause before the first retry. */
	public static final Setting<Duration> RETRY_INITIAL_BACKOFF = new Setting<>("retryInitialBackoff",
			"retry.initial-backoff", (pause) -> !pause.isNegative(), "must not be negative");

	/** Longest pause between two attempts; Spring's RetryPolicy refuses zero. */
	public static final Setting<Duration> RETRY_MAX_BACKOFF = new Setting<>("retryMaxBackoff", "retry.max-backoff",
			(pause) -> !pause.isNegative() && !pause.isZero(), "must be positive");

	/** Replication lag above which batches wait; unset for no such throttle. */
	public static final Setting<Duration> REPLICATION_LAG = new Setting<>("replicationLag",
			"throttle-on.replication-lag", (lag) -> !lag.isNegative() && !lag.isZero(),
			"must be positive (leave it unset not to throttle on replication lag)");

	/** How often the built-in throttles look at their source at most, and wait when they hold a batch. */
	public static final Setting<Duration> THROTTLE_CHECK_INTERVAL = new Setting<>("throttleCheckInterval",
			"throttle-on.check-interval", (interval) -> isBetween(interval, Duration.ofMillis(1), MAX_TIMEOUT),
			"must be at least 1ms and at most 24d");

	/** Name of a health indicator that must be UP for batches to run. */
	public static final Setting<String> HEALTH_INDICATOR = new Setting<>("healthIndicator",
			"throttle-on.health-indicators", (name) -> !name.isBlank(), "must not contain a blank name");

	/** How often a running migration logs its progress line. */
	public static final Setting<Duration> PROGRESS_LOG_INTERVAL = new Setting<>("progressLogInterval",
			"progress-log-interval", (interval) -> isBetween(interval, Duration.ofMillis(1), MAX_TIMEOUT),
			"must be at least 1ms and at most 24d");

	/** The tracking table's name. */
	public static final Setting<String> TABLE_NAME = new Setting<>("tableName", "table-name",
			MigrationStore::isPlainIdentifier, MigrationStore.PLAIN_IDENTIFIER_RULE);

	private final String name;

	private final String property;

	private final Predicate<T> rule;

	private final String reason;

	private Setting(String name, String property, Predicate<T> rule, String reason) {
		this.name = name;
		this.property = property;
		this.rule = rule;
		this.reason = reason;
	}

	/**
	 * The setting's name in {@code DataMigrationConfig}'s builder.
	 * @return e.g. {@code batchSize}
	 */
	public String name() {
		return this.name;
	}

	/**
	 * The setting's property name, relative to {@code backfill.} or to
	 * {@code backfill.migrations.<name>.}.
	 * @return e.g. {@code batch-size}
	 */
	public String property() {
		return this.property;
	}

	/**
	 * What is wrong with a value.
	 * @param value the value; {@code null} (unset) is never wrong here
	 * @return the reason, or {@code null} if the value is valid or unset
	 */
	public @Nullable String problemWith(@Nullable T value) {
		return (value == null || this.rule.test(value)) ? null : this.reason;
	}

	/**
	 * Checks a value given to {@code DataMigrationConfig}'s builder.
	 * @param value the value
	 * @return the value
	 * @throws IllegalArgumentException naming the setting, the value and the rule
	 */
	public T requireValid(T value) {
		Objects.requireNonNull(value, this.name);
		String problem = problemWith(value);
		if (problem != null) {
			throw new IllegalArgumentException(this.name + " " + problem + " but was " + value);
		}
		return value;
	}

	/**
	 * What is wrong with a minimum batch size given the maximum, checked wherever both are
	 * known: the builder, the properties of one level, a migration's merged settings.
	 * @param min the minimum, or {@code null} if unset
	 * @param max the maximum, or {@code null} if unset
	 * @param maxName how the maximum is named where it was given
	 * @return the reason the minimum is wrong, or {@code null} if it is valid or either end
	 * is unset
	 */
	public static @Nullable String batchSizeRangeProblem(@Nullable Integer min, @Nullable Integer max,
			String maxName) {
		return (min == null || max == null || min <= max) ? null
				: "must not be greater than " + maxName + " (" + max + ")";
	}

	private static boolean areDistinctPlainIdentifiers(List<String> columns) {
		Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
		return !columns.isEmpty() && columns.stream().allMatch((column) -> MigrationStore.isPlainIdentifier(column)
				&& seen.add(column));
	}

	/**
	 * What is wrong with a sweep given whether rows are counted, checked where both are
	 * known: the builder and a migration's merged settings.
	 * @param verify whether rows left are counted, or {@code null} if unset
	 * @param sweep whether to sweep, or {@code null} if unset
	 * @param verifyName how {@code verify} is named where it was given
	 * @return the reason the sweep is wrong, or {@code null} if it is valid or either is unset
	 */
	public static @Nullable String sweepProblem(@Nullable Boolean verify, @Nullable Boolean sweep,
			String verifyName) {
		return (Boolean.TRUE.equals(sweep) && Boolean.FALSE.equals(verify))
				? "needs " + verifyName + " (the count of rows left that decides whether another pass runs), "
						+ "which is false"
				: null;
	}

	private static boolean isBetween(Duration duration, Duration min, Duration max) {
		return duration.compareTo(min) >= 0 && duration.compareTo(max) <= 0;
	}

	@Override
	public String toString() {
		return this.name;
	}

}
