package dev.backfill.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.backfill.BackfillMode;
import dev.backfill.BatchSizeMode;
import dev.backfill.RowEstimate;
import dev.backfill.internal.settings.Setting;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.util.ClassUtils;

/**
 * Configuration of backfill data migrations. A per-migration property
 * ({@code backfill.migrations.<name>.*}) overrides the migration's own
 * {@code config()}, which overrides the global property here.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("backfill")
public class BackfillProperties implements InitializingBean {

	/** Whether to run data migrations at all. */
	private boolean enabled = true;

	/**
	 * How the application waits for migrations: 'blocking' runs them all before the
	 * application reports ready and fails startup on a failure; 'background' runs them on
	 * one worker thread while the application is ready at once; 'job' runs them as
	 * 'blocking' does, then exits the application, with status 0 once every migration has
	 * completed and 1 when one failed.
	 */
	private BackfillMode mode = BackfillMode.BLOCKING;

	/**
	 * Rows per batch, unless a migration sets its own; in adaptive mode, rows of the first
	 * batch (kept between the minimum and maximum batch size).
	 */
	private int batchSize = 1000;

	/**
	 * How batches are sized: 'fixed' gives every batch batch-size rows; 'adaptive' sizes
	 * each batch from the measured time per row of the batches before it so that it takes
	 * about target-batch-duration, and retries a batch cancelled by the statement timeout
	 * at half its size.
	 */
	private BatchSizeMode batchSizeMode = BatchSizeMode.FIXED;

	/** In adaptive mode, how long a batch should take (select, migrate and checkpoint). */
	private Duration targetBatchDuration = Duration.ofMillis(500);

	/** In adaptive mode, the fewest rows a batch is given. */
	private int minBatchSize = 100;

	/** In adaptive mode, the most rows a batch is given; at least min-batch-size. */
	private int maxBatchSize = 10_000;

	/** Pause between two batches (none after the last), unless a migration sets its own. */
	private Duration throttle = Duration.ofMillis(100);

	/** Whether each batch's writes and its checkpoint commit in one transaction. */
	private boolean transactional = true;

	/** Longest any statement of a batch may run, from 1ms to 24d; unset for no limit. */
	private @Nullable Duration statementTimeout;

	/**
	 * Longest any statement of a batch may wait for a lock, from 1ms to 24d (whole seconds
	 * on MariaDB); unset for the database's own.
	 */
	private @Nullable Duration lockTimeout;

	/**
	 * Whether migrations run as a dry run: every batch runs and is rolled back, nothing is
	 * saved in the tracking table, and the log states how many rows each batch would have
	 * touched and how many rows the base query returns. Migrations that are not
	 * transactional are refused.
	 */
	private boolean dryRun;

	/**
	 * Whether a migration whose cursor reached the end counts the rows its base query still
	 * returns (rows inserted behind the cursor meanwhile), records the count as
	 * remaining_rows and warns when it is not zero. The count is one scan of the base query,
	 * in the last batch's transaction; meaningful when the base query excludes migrated rows.
	 */
	private boolean verify = true;

	/**
	 * Whether a migration that left rows behind runs further passes from the first key until
	 * a pass leaves none (at most max-passes in all). Needs verify.
	 */
	private boolean sweep;

	/** The most passes a sweep runs, the first included. */
	private int maxPasses = 3;

	/** Name of the tracking table, a plain SQL identifier in the connection's current schema. */
	private String tableName = "backfill_migrations";

	/**
	 * When to create the tracking table if it is missing: 'always', 'embedded' (embedded
	 * databases only) or 'never' (it is created by your own Flyway or Liquibase scripts).
	 */
	private DatabaseInitializationMode initializeSchema = DatabaseInitializationMode.ALWAYS;

	/**
	 * How long an instance's claim on a migration holds without renewal; another instance
	 * takes over a migration whose lease expired. Also the longest a batch's transaction
	 * may sit idle.
	 */
	private Duration leaseDuration = Duration.ofMinutes(1);

	/**
	 * In blocking mode, how long to wait for a migration that another instance is running
	 * before startup fails.
	 */
	private Duration lockWaitTimeout = Duration.ofMinutes(10);

	/**
	 * How each run's estimated total is taken when it starts, unless a migration sets its
	 * own: 'count' counts the base query's rows after the checkpoint (exact, but it reads
	 * them all once); 'statistics' takes the database's own row estimate (PostgreSQL's
	 * planner, MariaDB's EXPLAIN; H2 counts), for tables too large to count.
	 */
	private RowEstimate estimate = RowEstimate.COUNT;

	/** How often a running migration logs its progress: percent, rows, rows/s and ETA. */
	private Duration progressLogInterval = Duration.ofSeconds(10);

	/** Retries of batches that fail transiently. */
	private final Retry retry = new Retry();

	/** The 'backfill' health indicator. */
	private final Health health = new Health();

	/** Conditions under which batches wait: database health, replication lag. */
	private final ThrottleOn throttleOn = new ThrottleOn();

	/** Per-migration settings, by migration (bean) name. */
	private final Map<String, Migration> migrations = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public BackfillMode getMode() {
		return this.mode;
	}

	public void setMode(BackfillMode mode) {
		this.mode = mode;
	}

	public int getBatchSize() {
		return this.batchSize;
	}

	public void setBatchSize(int batchSize) {
		this.batchSize = batchSize;
	}

	public BatchSizeMode getBatchSizeMode() {
		return this.batchSizeMode;
	}

	public void setBatchSizeMode(BatchSizeMode batchSizeMode) {
		this.batchSizeMode = batchSizeMode;
	}

	public Duration getTargetBatchDuration() {
		return this.targetBatchDuration;
	}

	public void setTargetBatchDuration(Duration targetBatchDuration) {
		this.targetBatchDuration = targetBatchDuration;
	}

	public int getMinBatchSize() {
		return this.minBatchSize;
	}

	public void setMinBatchSize(int minBatchSize) {
		this.minBatchSize = minBatchSize;
	}

	public int getMaxBatchSize() {
		return this.maxBatchSize;
	}

	public void setMaxBatchSize(int maxBatchSize) {
		this.maxBatchSize = maxBatchSize;
	}

	public Duration getThrottle() {
		return this.throttle;
	}

	public void setThrottle(Duration throttle) {
		this.throttle = throttle;
	}

	public boolean isTransactional() {
		return this.transactional;
	}

	public void setTransactional(boolean transactional) {
		this.transactional = transactional;
	}

	public @Nullable Duration getStatementTimeout() {
		return this.statementTimeout;
	}

	public void setStatementTimeout(@Nullable Duration statementTimeout) {
		this.statementTimeout = statementTimeout;
	}

	public @Nullable Duration getLockTimeout() {
		return this.lockTimeout;
	}

	public void setLockTimeout(@Nullable Duration lockTimeout) {
		this.lockTimeout = lockTimeout;
	}

	public boolean isDryRun() {
		return this.dryRun;
	}

	public void setDryRun(boolean dryRun) {
		this.dryRun = dryRun;
	}

	public boolean isVerify() {
		return this.verify;
	}

	public void setVerify(boolean verify) {
		this.verify = verify;
	}

	public boolean isSweep() {
		return this.sweep;
	}

	public void setSweep(boolean sweep) {
		this.sweep = sweep;
	}

	public int getMaxPasses() {
		return this.maxPasses;
	}

	public void setMaxPasses(int maxPasses) {
		this.maxPasses = maxPasses;
	}

	public String getTableName() {
		return this.tableName;
	}

	public void setTableName(String tableName) {
		this.tableName = tableName;
	}

	public DatabaseInitializationMode getInitializeSchema() {
		return this.initializeSchema;
	}

	public void setInitializeSchema(DatabaseInitializationMode initializeSchema) {
		this.initializeSchema = initializeSchema;
	}

	public Duration getLeaseDuration() {
		return this.leaseDuration;
	}

	public void setLeaseDuration(Duration leaseDuration) {
		this.leaseDuration = leaseDuration;
	}

	public Duration getLockWaitTimeout() {
		return this.lockWaitTimeout;
	}

	public void setLockWaitTimeout(Duration lockWaitTimeout) {
		this.lockWaitTimeout = lockWaitTimeout;
	}

	public RowEstimate getEstimate() {
		return this.estimate;
	}

	public void setEstimate(RowEstimate estimate) {
		this.estimate = estimate;
	}

	public Duration getProgressLogInterval() {
		return this.progressLogInterval;
	}

	public void setProgressLogInterval(Duration progressLogInterval) {
		this.progressLogInterval = progressLogInterval;
	}

	public Retry getRetry() {
		return this.retry;
	}

	public ThrottleOn getThrottleOn() {
		return this.throttleOn;
	}

	public Map<String, Migration> getMigrations() {
		return this.migrations;
	}

	public Health getHealth() {
		return this.health;
	}

	/**
	 * Checks the bound values with each setting's rule, naming the property and the value
	 * of the first bad one.
	 * @throws InvalidConfigurationPropertyValueException for a bad value
	 */
	@Override
	public void afterPropertiesSet() {
		checkRequired(Setting.BATCH_SIZE, this.batchSize);
		checkRequired(Setting.THROTTLE, this.throttle);
		checkRequired(Setting.TARGET_BATCH_DURATION, this.targetBatchDuration);
		checkRequired(Setting.MIN_BATCH_SIZE, this.minBatchSize);
		checkRequired(Setting.MAX_BATCH_SIZE, this.maxBatchSize);
		checkRange("backfill.", this.minBatchSize, this.maxBatchSize);
		check("backfill.", Setting.STATEMENT_TIMEOUT, this.statementTimeout);
		check("backfill.", Setting.LOCK_TIMEOUT, this.lockTimeout);
		checkRequired(Setting.MAX_PASSES, this.maxPasses);
		checkRequired(Setting.TABLE_NAME, this.tableName);
		checkRequired(Setting.LEASE_DURATION, this.leaseDuration);
		checkRequired(Setting.LOCK_WAIT_TIMEOUT, this.lockWaitTimeout);
		checkRequired(Setting.PROGRESS_LOG_INTERVAL, this.progressLogInterval);
		checkRequired(Setting.RETRY_MAX_ATTEMPTS, this.retry.maxAttempts);
		checkRequired(Setting.RETRY_INITIAL_BACKOFF, this.retry.initialBackoff);
		checkRequired(Setting.RETRY_MAX_BACKOFF, this.retry.maxBackoff);
		check("backfill.", Setting.REPLICATION_LAG, this.throttleOn.replicationLag);
		checkRequired(Setting.THROTTLE_CHECK_INTERVAL, this.throttleOn.checkInterval);
		checkHealthIndicators(this.throttleOn.healthIndicators);
		this.migrations.forEach((name, migration) -> {
			String prefix = "backfill.migrations." + (name.contains(".") ? "[" + name + "]" : name) + ".";
			check(prefix, Setting.BATCH_SIZE, migration.batchSize);
			check(prefix, Setting.THROTTLE, migration.throttle);
			check(prefix, Setting.TARGET_BATCH_DURATION, migration.targetBatchDuration);
			check(prefix, Setting.MIN_BATCH_SIZE, migration.minBatchSize);
			check(prefix, Setting.MAX_BATCH_SIZE, migration.maxBatchSize);
			checkRange(prefix, migration.minBatchSize, migration.maxBatchSize);
			check(prefix, Setting.STATEMENT_TIMEOUT, migration.statementTimeout);
			check(prefix, Setting.LOCK_TIMEOUT, migration.lockTimeout);
			check(prefix, Setting.MAX_PASSES, migration.maxPasses);
		});
	}

	private static void checkHealthIndicators(List<String> names) {
		String property = "backfill." + Setting.HEALTH_INDICATOR.property();
		for (String name : names) {
			String problem = Setting.HEALTH_INDICATOR.problemWith(name);
			if (problem != null) {
				throw new InvalidConfigurationPropertyValueException(property, names, problem);
			}
		}
		if (!names.isEmpty() && !ClassUtils.isPresent(ThrottleOn.HEALTH_INDICATOR_CLASS, null)) {
			throw new InvalidConfigurationPropertyValueException(property, names,
					"needs Spring Boot's health support (spring-boot-health, e.g. through "
							+ "spring-boot-starter-actuator), which is not on the classpath");
		}
	}

	private static <T> void checkRequired(Setting<T> setting, @Nullable T value) {
		if (value == null) {
			throw new InvalidConfigurationPropertyValueException("backfill." + setting.property(), null,
					"must be set");
		}
		check("backfill.", setting, value);
	}

	private static <T> void check(String prefix, Setting<T> setting, @Nullable T value) {
		String problem = setting.problemWith(value);
		if (problem != null) {
			throw new InvalidConfigurationPropertyValueException(prefix + setting.property(), value, problem);
		}
	}

	/** Refuses a minimum batch size above the maximum given with the same prefix. */
	private static void checkRange(String prefix, @Nullable Integer min, @Nullable Integer max) {
		String problem = Setting.batchSizeRangeProblem(min, max, prefix + Setting.MAX_BATCH_SIZE.property());
		if (problem != null) {
			throw new InvalidConfigurationPropertyValueException(prefix + Setting.MIN_BATCH_SIZE.property(), min,
					problem);
		}
	}

	/** Retries of batches that fail transiently (lost connection, deadlock, timeouts). */
	public static class Retry {

		/** Attempts of a batch, the first included, before the migration is marked FAILED. */
		private int maxAttempts = 5;

		/** Pause before the first retry; doubled for each further one, with jitter. */
		private Duration initialBackoff = Duration.ofMillis(100);

		/** Longest pause between two attempts. */
		private Duration maxBackoff = Duration.ofSeconds(10);

		public int getMaxAttempts() {
			return this.maxAttempts;
		}

		public void setMaxAttempts(int maxAttempts) {
			this.maxAttempts = maxAttempts;
		}

		public Duration getInitialBackoff() {
			return this.initialBackoff;
		}

		public void setInitialBackoff(Duration initialBackoff) {
			this.initialBackoff = initialBackoff;
		}

		public Duration getMaxBackoff() {
			return this.maxBackoff;
		}

		public void setMaxBackoff(Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
		}

	}

	/** The 'backfill' health indicator, which reports every migration's tracking row. */
	public static class Health {

		/**
		 * Whether a FAILED migration makes the indicator DOWN. Off by default, so that a
		 * failed backfill does not get the application restarted by its orchestrator.
		 */
		private boolean failedIsDown;

		public boolean isFailedIsDown() {
			return this.failedIsDown;
		}

		public void setFailedIsDown(boolean failedIsDown) {
			this.failedIsDown = failedIsDown;
		}

	}

	/**
	 * Conditions under which batches wait, checked before each batch. Each is a
	 * {@code BackfillThrottle}, asked after the application's own throttle beans.
	 */
	public static class ThrottleOn {

		static final String HEALTH_INDICATOR_CLASS = "org.springframework.boot.health.contributor.HealthIndicator";

		/**
		 * Replication lag above which batches wait, as the primary reports it (PostgreSQL's
		 * pg_stat_replication.replay_lag, needing pg_read_all_stats); not applicable, and
		 * logged so, on other databases. Unset for no such throttle.
		 */
		private @Nullable Duration replicationLag;

		/**
		 * Names of health indicators (as in /actuator/health, e.g. 'db') that must be UP for
		 * batches to run.
		 */
		private List<String> healthIndicators = new ArrayList<>();

		/**
		 * How often, at most, the replication lag is read and the health indicators asked (an
		 * answer is reused until it is this old), and how long batches wait before they look
		 * again.
		 */
		private Duration checkInterval = Duration.ofSeconds(1);

		public @Nullable Duration getReplicationLag() {
			return this.replicationLag;
		}

		public void setReplicationLag(@Nullable Duration replicationLag) {
			this.replicationLag = replicationLag;
		}

		public List<String> getHealthIndicators() {
			return this.healthIndicators;
		}

		public void setHealthIndicators(List<String> healthIndicators) {
			this.healthIndicators = healthIndicators;
		}

		public Duration getCheckInterval() {
			return this.checkInterval;
		}

		public void setCheckInterval(Duration checkInterval) {
			this.checkInterval = checkInterval;
		}

	}

	/** Settings of one migration; each overrides the migration's config() and the global property. */
	public static class Migration {

		/** Whether this migration runs. */
		private boolean enabled = true;

		/** Rows per batch. */
		private @Nullable Integer batchSize;

		/** Pause between two batches. */
		private @Nullable Duration throttle;

		/** How batches are sized: 'fixed' or 'adaptive'. */
		private @Nullable BatchSizeMode batchSizeMode;

		/** In adaptive mode, how long a batch should take. */
		private @Nullable Duration targetBatchDuration;

		/** In adaptive mode, the fewest rows a batch is given. */
		private @Nullable Integer minBatchSize;

		/** In adaptive mode, the most rows a batch is given. */
		private @Nullable Integer maxBatchSize;

		/** Whether each batch's writes and its checkpoint commit in one transaction. */
		private @Nullable Boolean transactional;

		/** Longest any statement of a batch may run. */
		private @Nullable Duration statementTimeout;

		/** Longest any statement of a batch may wait for a lock. */
		private @Nullable Duration lockTimeout;

		/** How a run's estimated total is taken: 'count' or 'statistics'. */
		private @Nullable RowEstimate estimate;

		/** Whether this migration runs as a dry run: every batch rolled back, nothing saved. */
		private @Nullable Boolean dryRun;

		/** Whether to count the rows the base query still returns when the cursor reaches the end. */
		private @Nullable Boolean verify;

		/** Whether to run further passes from the first key while rows are left. */
		private @Nullable Boolean sweep;

		/** The most passes a sweep runs, the first included. */
		private @Nullable Integer maxPasses;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable Integer getBatchSize() {
			return this.batchSize;
		}

		public void setBatchSize(@Nullable Integer batchSize) {
			this.batchSize = batchSize;
		}

		public @Nullable Duration getThrottle() {
			return this.throttle;
		}

		public void setThrottle(@Nullable Duration throttle) {
			this.throttle = throttle;
		}

		public @Nullable BatchSizeMode getBatchSizeMode() {
			return this.batchSizeMode;
		}

		public void setBatchSizeMode(@Nullable BatchSizeMode batchSizeMode) {
			this.batchSizeMode = batchSizeMode;
		}

		public @Nullable Duration getTargetBatchDuration() {
			return this.targetBatchDuration;
		}

		public void setTargetBatchDuration(@Nullable Duration targetBatchDuration) {
			this.targetBatchDuration = targetBatchDuration;
		}

		public @Nullable Integer getMinBatchSize() {
			return this.minBatchSize;
		}

		public void setMinBatchSize(@Nullable Integer minBatchSize) {
			this.minBatchSize = minBatchSize;
		}

		public @Nullable Integer getMaxBatchSize() {
			return this.maxBatchSize;
		}

		public void setMaxBatchSize(@Nullable Integer maxBatchSize) {
			this.maxBatchSize = maxBatchSize;
		}

		public @Nullable Boolean getTransactional() {
			return this.transactional;
		}

		public void setTransactional(@Nullable Boolean transactional) {
			this.transactional = transactional;
		}

		public @Nullable Duration getStatementTimeout() {
			return this.statementTimeout;
		}

		public void setStatementTimeout(@Nullable Duration statementTimeout) {
			this.statementTimeout = statementTimeout;
		}

		public @Nullable Duration getLockTimeout() {
			return this.lockTimeout;
		}

		public void setLockTimeout(@Nullable Duration lockTimeout) {
			this.lockTimeout = lockTimeout;
		}

		public @Nullable RowEstimate getEstimate() {
			return this.estimate;
		}

		public void setEstimate(@Nullable RowEstimate estimate) {
			this.estimate = estimate;
		}

		public @Nullable Boolean getDryRun() {
			return this.dryRun;
		}

		public void setDryRun(@Nullable Boolean dryRun) {
			this.dryRun = dryRun;
		}

		public @Nullable Boolean getVerify() {
			return this.verify;
		}

		public void setVerify(@Nullable Boolean verify) {
			this.verify = verify;
		}

		public @Nullable Boolean getSweep() {
			return this.sweep;
		}

		public void setSweep(@Nullable Boolean sweep) {
			this.sweep = sweep;
		}

		public @Nullable Integer getMaxPasses() {
			return this.maxPasses;
		}

		public void setMaxPasses(@Nullable Integer maxPasses) {
			this.maxPasses = maxPasses;
		}

	}

}
