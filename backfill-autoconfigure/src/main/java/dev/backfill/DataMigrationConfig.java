package dev.backfill;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable per-migration settings returned by {@link DataMigration#config()}. Every
 * setting is optional: one left unset ({@code null}) falls back to the matching
 * {@code backfill.*} property. A {@code backfill.migrations.<name>.*} property overrides
 * what is set here.
 *
 * @param batchSize rows per batch, at least 1
 * @param throttle pause between two batches
 * @param keyColumn column of the base query that orders and resumes the migration
 * (defaults to {@code id}); must be unique and orderable
 * @param dataSource bean name of the DataSource holding the data and the tracking table
 * (defaults to the primary DataSource)
 * @param transactional whether each batch's writes and its checkpoint commit in one
 * transaction
 * @param statementTimeout longest any statement of a batch may run
 * @param lockTimeout longest any statement of a batch may wait for a lock
 */
public record DataMigrationConfig(Integer batchSize, Duration throttle, String keyColumn, String dataSource,
		Boolean transactional, Duration statementTimeout, Duration lockTimeout) {

	/** Settings with nothing set: everything comes from the properties. */
	public static final DataMigrationConfig DEFAULTS = builder().build();

	public DataMigrationConfig {
		if (batchSize != null && batchSize < 1) {
			throw new IllegalArgumentException("batchSize must be at least 1 but was " + batchSize);
		}
		requireNotNegative("throttle", throttle);
		requireNotNegative("statementTimeout", statementTimeout);
		requireNotNegative("lockTimeout", lockTimeout);
		if (keyColumn != null && keyColumn.isBlank()) {
			throw new IllegalArgumentException("keyColumn must not be blank");
		}
	}

	private static void requireNotNegative(String name, Duration value) {
		if (value != null && value.isNegative()) {
			throw new IllegalArgumentException(name + " must not be negative but was " + value);
		}
	}

	/**
	 * Starts a builder with nothing set.
	 * @return a new builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/** Builder of {@link DataMigrationConfig}. */
	public static final class Builder {

		private Integer batchSize;

		private Duration throttle;

		private String keyColumn;

		private String dataSource;

		private Boolean transactional;

		private Duration statementTimeout;

		private Duration lockTimeout;

		private Builder() {
		}

		/**
		 * Rows per batch.
		 * @param batchSize at least 1
		 * @return this builder
		 */
		public Builder batchSize(int batchSize) {
			this.batchSize = batchSize;
			return this;
		}

		/**
		 * Pause between two batches (none after the last).
		 * @param throttle the pause
		 * @return this builder
		 */
		public Builder throttle(Duration throttle) {
			this.throttle = Objects.requireNonNull(throttle, "throttle");
			return this;
		}

		/**
		 * Column of the base query that orders and resumes the migration.
		 * @param keyColumn a unique, orderable column (bigint, UUID, text, ...)
		 * @return this builder
		 */
		public Builder keyColumn(String keyColumn) {
			this.keyColumn = Objects.requireNonNull(keyColumn, "keyColumn");
			return this;
		}

		/**
		 * Bean name of the DataSource holding the data and the tracking table.
		 * @param dataSourceBeanName the bean name
		 * @return this builder
		 */
		public Builder dataSource(String dataSourceBeanName) {
			this.dataSource = Objects.requireNonNull(dataSourceBeanName, "dataSource");
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
		 * @param statementTimeout the timeout
		 * @return this builder
		 */
		public Builder statementTimeout(Duration statementTimeout) {
			this.statementTimeout = Objects.requireNonNull(statementTimeout, "statementTimeout");
			return this;
		}

		/**
		 * Longest any statement of a batch may wait for a row or table lock.
		 * @param lockTimeout the timeout
		 * @return this builder
		 */
		public Builder lockTimeout(Duration lockTimeout) {
			this.lockTimeout = Objects.requireNonNull(lockTimeout, "lockTimeout");
			return this;
		}

		/**
		 * Builds the immutable settings.
		 * @return the settings
		 */
		public DataMigrationConfig build() {
			return new DataMigrationConfig(this.batchSize, this.throttle, this.keyColumn, this.dataSource,
					this.transactional, this.statementTimeout, this.lockTimeout);
		}

	}

}
