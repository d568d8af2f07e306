package dev.backfill;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import dev.backfill.internal.settings.Setting;
import org.jspecify.annotations.Nullable;

/**
 * Immutable per-migration settings returned by {@link DataMigration#config()}, made with
 * {@link #builder()}. Every setting is optional: one left unset ({@code null}) falls back
 * to the matching {@code backfill.*} property. A {@code backfill.migrations.<name>.*}
 * property overrides what is set here. The builder checks each value with the same rule
 * as the matching property, so a value refused there is refused here.
 *
 * @since 0.1.0
 */
public final class DataMigrationConfig {

	/** Settings with nothing set: everything comes from the properties. */
	public static final DataMigrationConfig DEFAULTS = builder().build();

	private final @Nullable Integer batchSize;

	private final @Nullable Duration throttle;

	private final @Nullable BatchSizeMode batchSizeMode;

	private final @Nullable Duration targetBatchDuration;

	private final @Nullable Integer minBatchSize;

	private final @Nullable Integer maxBatchSize;

	private final @Nullable List<String> keyColumns;

	private final @Nullable String dataSource;

	private final @Nullable Boolean transactional;

	private final @Nullable Duration statementTimeout;

	private final @Nullable Duration lockTimeout;

	private final @Nullable RowEstimate estimate;

	private final @Nullable Boolean verify;

	private final @Nullable Boolean sweep;

	private final @Nullable Integer maxPasses;

	private DataMigrationConfig(Builder builder) {
		this.batchSize = builder.batchSize;
		this.throttle = builder.throttle;
		this.batchSizeMode = builder.batchSizeMode;
		this.targetBatchDuration = builder.targetBatchDuration;
		this.minBatchSize = builder.minBatchSize;
		this.maxBatchSize = builder.maxBatchSize;
		this.keyColumns = builder.keyColumns;
		this.dataSource = builder.dataSource;
		this.transactional = builder.transactional;
		this.statementTimeout = builder.statementTimeout;
		this.lockTimeout = builder.lockTimeout;
		this.estimate = builder.estimate;
		this.verify = builder.verify;
		this.sweep = builder.sweep;
		this.maxPasses = builder.maxPasses;
	}

	/**
	 * Starts a builder with nothing set.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Rows per batch.
	 * @return the batch size, or {@code null} if unset
	 */
	public @Nullable Integer batchSize() {
		return this.batchSize;
	}

	/**
	 * Pause between two batches.
	 * @return the pause, or {@code null} if unset
	 */
	public @Nullable Duration throttle() {
		return this.throttle;
	}

	/**
	 * Whether the batch size is fixed or adapts to the measured batch time.
	 * @return the mode, or {@code null} if unset
	 */
	public @Nullable BatchSizeMode batchSizeMode() {
		return this.batchSizeMode;
	}

	/**
	 * In adaptive mode, how long a batch should take.
	 * @return the target, or {@code null} if unset
	 */
	public @Nullable Duration targetBatchDuration() {
		return this.targetBatchDuration;
	}

	/**
	 * In adaptive mode, the fewest rows a batch is given.
	 * @return the minimum, or {@code null} if unset
	 */
	public @Nullable Integer minBatchSize() {
		return this.minBatchSize;
	}

	/**
	 * In adaptive mode, the most rows a batch is given.
	 * @return the maximum, or {@code null} if unset
	 */
	public @Nullable Integer maxBatchSize() {
		return this.maxBatchSize;
	}

	/**
	 * Columns of the base query that order and resume the migration, most significant
	 * first: one, or several for a composite key.
	 * @return the columns, or {@code null} for {@code id}
	 */
	public @Nullable List<String> keyColumns() {
		return this.keyColumns;
	}

	/**
	 * Bean name of the DataSource holding the data and the tracking table.
	 * @return the bean name, or {@code null} for the primary DataSource
	 */
	public @Nullable String dataSource() {
		return this.dataSource;
	}

	/**
	 * Whether each batch's writes and its checkpoint commit in one transaction.
	 * @return the flag, or {@code null} if unset
	 */
	public @Nullable Boolean transactional() {
		return this.transactional;
	}

	/**
	 * Longest any statement of a batch may run.
	 * @return the timeout, or {@code null} if unset
	 */
	public @Nullable Duration statementTimeout() {
		return this.statementTimeout;
	}

	/**
	 * Longest any statement of a batch may wait for a lock.
	 * @return the timeout, or {@code null} if unset
	 */
	public @Nullable Duration lockTimeout() {
		return this.lockTimeout;
	}

	/**
	 * How the estimated total is taken when a run starts.
	 * @return the method, or {@code null} if unset
	 */
	public @Nullable RowEstimate estimate() {
		return this.estimate;
	}

	/**
	 * Whether to count the rows the base query still returns when the cursor reaches the end.
	 * @return the flag, or {@code null} if unset
	 */
	public @Nullable Boolean verify() {
		return this.verify;
	}

	/**
	 * Whether to run further passes from the first key while rows are left.
	 * @return the flag, or {@code null} if unset
	 */
	public @Nullable Boolean sweep() {
		return this.sweep;
	}

	/**
	 * The most passes a sweep runs, the first included.
	 * @return the most passes, or {@code null} if unset
	 */
	public @Nullable Integer maxPasses() {
		return this.maxPasses;
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return this == other || (other instanceof DataMigrationConfig that
				&& Objects.equals(this.batchSize, that.batchSize) && Objects.equals(this.throttle, that.throttle)
				&& this.batchSizeMode == that.batchSizeMode
				&& Objects.equals(this.targetBatchDuration, that.targetBatchDuration)
				&& Objects.equals(this.minBatchSize, that.minBatchSize)
				&& Objects.equals(this.maxBatchSize, that.maxBatchSize)
				&& Objects.equals(this.keyColumns, that.keyColumns) && Objects.equals(this.dataSource, that.dataSource)
				&& Objects.equals(this.transactional, that.transactional)
				&& Objects.equals(this.statementTimeout, that.statementTimeout)
				&& Objects.equals(this.lockTimeout, that.lockTimeout) && this.estimate == that.estimate
				&& Objects.equals(this.verify, that.verify) && Objects.equals(this.sweep, that.sweep)
				&& Objects.equals(this.maxPasses, that.maxPasses));
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.batchSize, this.throttle, this.batchSizeMode, this.targetBatchDuration,
				this.minBatchSize, this.maxBatchSize, this.keyColumns, this.dataSource, this.transactional,
				this.statementTimeout, this.lockTimeout, this.estimate, this.verify, this.sweep, this.maxPasses);
	}

	@Override
	public String toString() {
		return "DataMigrationConfig[batchSize=" + this.batchSize + ", throttle=" + this.throttle
				+ ", batchSizeMode=" + this.batchSizeMode + ", targetBatchDuration=" + this.targetBatchDuration
				+ ", minBatchSize=" + this.minBatchSize + ", maxBatchSize=" + this.maxBatchSize + ", keyColumns="
				+ this.keyColumns + ", dataSource=" + this.dataSource + ", transactional=" + this.transactional
				+ ", statementTimeout=" + this.statementTimeout + ", lockTimeout=" + this.lockTimeout
				+ ", estimate=" + this.estimate + ", verify=" + this.verify + ", sweep=" + this.sweep
				+ ", maxPasses=" + this.maxPasses + "]";
	}

	/**
	 * Builder of {@link DataMigrationConfig}. Each method checks its value at once and
	 * throws {@link IllegalArgumentException} naming the setting and the value.
	 *
	 * @since 0.1.0
	 */
	public static final class Builder {

		private @Nullable Integer batchSize;

		private @Nullable Duration throttle;

		private @Nullable BatchSizeMode batchSizeMode;

		private @Nullable Duration targetBatchDuration;

		private @Nullable Integer minBatchSize;

		private @Nullable Integer maxBatchSize;

		private @Nullable List<String> keyColumns;

		private @Nullable String dataSource;

		private @Nullable Boolean transactional;

		private @Nullable Duration statementTimeout;

		private @Nullable Duration lockTimeout;

		private @Nullable RowEstimate estimate;

		private @Nullable Boolean verify;

		private @Nullable Boolean sweep;

		private @Nullable Integer maxPasses;

		private Builder() {
		}

		/**
		 * Rows per batch.
		 * @param batchSize at least 1
		 * @return this builder
		 */
		public Builder batchSize(int batchSize) {
			this.batchSize = Setting.BATCH_SIZE.requireValid(batchSize);
			return this;
		}

		/**
		 * Pause between two batches (none after the last).
		 * @param throttle the pause, not negative
		 * @return this builder
		 */
		public Builder throttle(Duration throttle) {
			this.throttle = Setting.THROTTLE.requireValid(throttle);
			return this;
		}

		/**
		 * How batches are sized.
		 * @param batchSizeMode {@link BatchSizeMode#ADAPTIVE} to size each batch from the
		 * measured batch time; in that mode {@link #batchSize(int)} is the first batch's size
		 * @return this builder
		 */
		public Builder batchSizeMode(BatchSizeMode batchSizeMode) {
			this.batchSizeMode = Objects.requireNonNull(batchSizeMode, "batchSizeMode");
			return this;
		}

		/**
		 * In adaptive mode, how long a batch should take (select, migrate and checkpoint).
		 * @param targetBatchDuration the target, from 1ms to 24d
		 * @return this builder
		 */
		public Builder targetBatchDuration(Duration targetBatchDuration) {
			this.targetBatchDuration = Setting.TARGET_BATCH_DURATION.requireValid(targetBatchDuration);
			return this;
		}

		/**
		 * In adaptive mode, the fewest rows a batch is given.
		 * @param minBatchSize at least 1, and not above {@link #maxBatchSize(int)}
		 * @return this builder
		 */
		public Builder minBatchSize(int minBatchSize) {
			this.minBatchSize = Setting.MIN_BATCH_SIZE.requireValid(minBatchSize);
			return this;
		}

		/**
		 * In adaptive mode, the most rows a batch is given.
		 * @param maxBatchSize at least 1, and not below {@link #minBatchSize(int)}
		 * @return this builder
		 */
		public Builder maxBatchSize(int maxBatchSize) {
			this.maxBatchSize = Setting.MAX_BATCH_SIZE.requireValid(maxBatchSize);
			return this;
		}

		/**
		 * Column of the base query that orders and resumes the migration; the same as
		 * {@link #keyColumns(String...) keyColumns(keyColumn)}.
		 * @param keyColumn a unique, not-null, orderable column (bigint, UUID, text, ...),
		 * as a plain SQL identifier
		 * @return this builder
		 */
		public Builder keyColumn(String keyColumn) {
			return keyColumns(keyColumn);
		}

		/**
		 * Columns of the base query that order and resume the migration together, most
		 * significant first: a composite key such as {@code keyColumns("tenant_id", "id")},
		 * whose batches are ordered by {@code tenant_id, id} and read after the checkpoint
		 * with {@code (tenant_id, id) > (?, ?)}. Give the table an index on the columns in
		 * this order.
		 * @param keyColumns one or more distinct not-null, orderable columns (bigint, UUID,
		 * text, ...) whose values together are unique, each a plain SQL identifier
		 * @return this builder
		 */
		public Builder keyColumns(String... keyColumns) {
			this.keyColumns = Setting.KEY_COLUMNS.requireValid(List.of(keyColumns));
			return this;
		}

		/**
		 * Bean name of the DataSource holding the data and the tracking table.
		 * @param dataSourceBeanName the bean name
		 * @return this builder
		 */
		public Builder dataSource(String dataSourceBeanName) {
			this.dataSource = Setting.DATA_SOURCE.requireValid(dataSourceBeanName);
			return this;
		}

		/**
		 * Whether each batch's writes and its checkpoint commit in one transaction.
		 * @param transactional {@code false} to run {@code migrate} outside of it
		 * @return this builder
		 */
		public Builder transactional(boolean transactional) {
			this.transactional = transactional;
			return this;
		}

		/**
		 * Longest any statement of a batch may run.
		 * @param statementTimeout the timeout, from 1ms to 24d
		 * @return this builder
		 */
		public Builder statementTimeout(Duration statementTimeout) {
			this.statementTimeout = Setting.STATEMENT_TIMEOUT.requireValid(statementTimeout);
			return this;
		}

		/**
		 * Longest any statement of a batch may wait for a row or table lock.
		 * @param lockTimeout the timeout, from 1ms to 24d (MariaDB rounds it up to
		 * whole seconds)
		 * @return this builder
		 */
		public Builder lockTimeout(Duration lockTimeout) {
			this.lockTimeout = Setting.LOCK_TIMEOUT.requireValid(lockTimeout);
			return this;
		}

		/**
		 * How the estimated total (for percent done and time left) is taken when a run
		 * starts.
		 * @param estimate {@link RowEstimate#STATISTICS} for tables too large to count
		 * @return this builder
		 */
		public Builder estimate(RowEstimate estimate) {
			this.estimate = Objects.requireNonNull(estimate, "estimate");
			return this;
		}

		/**
		 * Whether to count, when the cursor reaches the end, the rows the base query still
		 * returns (rows inserted behind the cursor meanwhile), record the count and warn when
		 * it is not zero. Meaningful when the base query excludes migrated rows.
		 * @param verify {@code false} to skip the count (one scan of the base query)
		 * @return this builder
		 */
		public Builder verify(boolean verify) {
			this.verify = verify;
			return this;
		}

		/**
		 * Whether to run further passes from the first key while rows are left, until a pass
		 * leaves none or {@link #maxPasses(int)} passes have run. Needs {@link #verify(boolean)}.
		 * @param sweep {@code true} to sweep
		 * @return this builder
		 */
		public Builder sweep(boolean sweep) {
			this.sweep = sweep;
			return this;
		}

		/**
		 * The most passes a sweep runs, the first included.
		 * @param maxPasses at least 1
		 * @return this builder
		 */
		public Builder maxPasses(int maxPasses) {
			this.maxPasses = Setting.MAX_PASSES.requireValid(maxPasses);
			return this;
		}

		/**
		 * Builds the immutable settings.
		 * @return the settings
		 * @throws IllegalArgumentException if the minimum batch size is above the maximum, or
		 * a sweep is asked for without verify
		 */
		public DataMigrationConfig build() {
			String sweepProblem = Setting.sweepProblem(this.verify, this.sweep, Setting.VERIFY.name());
			if (sweepProblem != null) {
				throw new IllegalArgumentException(Setting.SWEEP.name() + " " + sweepProblem);
			}
			String problem = Setting.batchSizeRangeProblem(this.minBatchSize, this.maxBatchSize,
					Setting.MAX_BATCH_SIZE.name());
			if (problem != null) {
				throw new IllegalArgumentException(
						Setting.MIN_BATCH_SIZE.name() + " " + problem + " but was " + this.minBatchSize);
			}
			return new DataMigrationConfig(this);
		}

	}

}
