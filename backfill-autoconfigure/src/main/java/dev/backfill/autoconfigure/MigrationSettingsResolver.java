package dev.backfill.autoconfigure;

import java.util.List;

import dev.backfill.DataMigrationConfig;
import dev.backfill.DataMigrationException;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.internal.settings.Setting;
import dev.backfill.internal.settings.VerifySettings;
import org.jspecify.annotations.Nullable;

/**
 * Merges a migration's settings: {@code backfill.migrations.<name>.*} first, then the
 * migration's {@code config()}, then the global {@code backfill.*} property (which holds
 * every default).
 */
final class MigrationSettingsResolver {

	private final BackfillProperties properties;

	MigrationSettingsResolver(BackfillProperties properties) {
		this.properties = properties;
	}

	/**
	 * The effective settings of a migration.
	 * @param name the migration's name
	 * @param config its own config
	 * @param own its {@code backfill.migrations.<name>} properties, if any
	 * @return the merged settings
	 */
	MigrationSettings resolve(String name, DataMigrationConfig config, BackfillProperties.@Nullable Migration own) {
		BackfillProperties.Migration property = (own != null) ? own : new BackfillProperties.Migration();
		Integer min = first(property.getMinBatchSize(), config.minBatchSize(), this.properties.getMinBatchSize());
		Integer max = first(property.getMaxBatchSize(), config.maxBatchSize(), this.properties.getMaxBatchSize());
		// Each level was checked on its own; the two ends may come from different levels.
		String problem = Setting.batchSizeRangeProblem(min, max,
				origin(name, Setting.MAX_BATCH_SIZE, property.getMaxBatchSize(), config.maxBatchSize()));
		if (problem != null) {
			throw new DataMigrationException(name, "Migration '" + name + "': "
					+ origin(name, Setting.MIN_BATCH_SIZE, property.getMinBatchSize(), config.minBatchSize()) + " ("
					+ min + ") " + problem, null);
		}
		List<String> keyColumns = first(null, config.keyColumns(), Setting.DEFAULT_KEY_COLUMNS);
		int parallelism = first(property.getParallelism(), config.parallelism(), this.properties.getParallelism());
		return new MigrationSettings(name, property.isEnabled(),
				first(property.getBatchSize(), config.batchSize(), this.properties.getBatchSize()),
				first(property.getThrottle(), config.throttle(), this.properties.getThrottle()),
				keyColumns,
				first(property.getTransactional(), config.transactional(), this.properties.isTransactional()),
				first(property.getStatementTimeout(), config.statementTimeout(),
						this.properties.getStatementTimeout()),
				first(property.getLockTimeout(), config.lockTimeout(), this.properties.getLockTimeout()),
				first(property.getBatchSizeMode(), config.batchSizeMode(), this.properties.getBatchSizeMode()),
				first(property.getTargetBatchDuration(), config.targetBatchDuration(),
						this.properties.getTargetBatchDuration()),
				min, max, first(property.getEstimate(), config.estimate(), this.properties.getEstimate()),
				first(property.getDryRun(), null, this.properties.isDryRun()), verify(name, config, property),
				parallelism);
	}

	private VerifySettings verify(String name, DataMigrationConfig config, BackfillProperties.Migration property) {
		Boolean verify = first(property.getVerify(), config.verify(), this.properties.isVerify());
		Boolean sweep = first(property.getSweep(), config.sweep(), this.properties.isSweep());
		String problem = Setting.sweepProblem(verify, sweep,
				origin(name, Setting.VERIFY, property.getVerify(), config.verify()));
		if (problem != null) {
			throw new DataMigrationException(name, "Migration '" + name + "': "
					+ origin(name, Setting.SWEEP, property.getSweep(), config.sweep()) + " " + problem, null);
		}
		return new VerifySettings(verify, sweep,
				first(property.getMaxPasses(), config.maxPasses(), this.properties.getMaxPasses()));
	}

	/** Where a merged value came from, for messages. */
	private static String origin(String name, Setting<?> setting, @Nullable Object property, @Nullable Object config) {
		if (property != null) {
			return "backfill.migrations." + name + "." + setting.property();
		}
		return (config != null) ? "config() " + setting.name() : "backfill." + setting.property();
	}

	/** The first value set; the global value is set for every setting that has a default. */
	private static <T> @Nullable T first(@Nullable T property, @Nullable T config, @Nullable T global) {
		if (property != null) {
			return property;
		}
		return (config != null) ? config : global;
	}

}
