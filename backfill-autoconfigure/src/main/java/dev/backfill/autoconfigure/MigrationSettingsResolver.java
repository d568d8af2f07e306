package dev.backfill.autoconfigure;


import dev.backfill.DataMigrationConfig;
import dev.backfill.runner.MigrationSettings;

/**
 * Merges a migration's settings: {@code backfill.migrations.<name>.*} first, then the
 * migration's {@code config()}, then the global {@code backfill.*} property.
 */
final class MigrationSettingsResolver {

	private final BackfillProperties properties;

	MigrationSettingsResolver(BackfillProperties properties) {
		this.properties = properties;
	}

	MigrationSettings resolve(String name, DataMigrationConfig config) {
		BackfillProperties.Migration own = this.properties.getMigrations().getOrDefault(name,
				new BackfillProperties.Migration());
		return new MigrationSettings(name, own.isEnabled(),
				first(own.getBatchSize(), config.batchSize(), this.properties.getBatchSize()),
				first(own.getThrottle(), config.throttle(), this.properties.getThrottle()),
				first(null, config.keyColumn(), "id"),
				first(own.getTransactional(), config.transactional(), this.properties.isTransactional()),
				first(own.getStatementTimeout(), config.statementTimeout(), this.properties.getStatementTimeout()),
				first(own.getLockTimeout(), config.lockTimeout(), this.properties.getLockTimeout()));
	}

	private static <T> T first(T property, T config, T global) {
		if (property != null) {
			return property;
		}
		return (config != null) ? config : global;
	}


}
