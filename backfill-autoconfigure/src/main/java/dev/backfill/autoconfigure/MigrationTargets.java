package dev.backfill.autoconfigure;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.backfill.DataMigration;
import dev.backfill.DataMigrationConfig;
import dev.backfill.DataMigrationException;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * Finds the {@link DataMigration} beans and turns them into runnable targets: named by
 * their bean names, ordered by {@code @Order}/{@link Ordered} and then by name, with
 * their settings merged and their DataSource resolved.
 */
final class MigrationTargets {

	private static final Logger logger = LoggerFactory.getLogger(MigrationTargets.class);

	private final ConfigurableListableBeanFactory beanFactory;

	private final DataSource primaryDataSource;

	private final BackfillProperties properties;

	private final BackfillSchemaInitializer schemaInitializer;

	private final Map<DataSource, MigrationDatabase> databases = new IdentityHashMap<>();

	MigrationTargets(ConfigurableListableBeanFactory beanFactory, DataSource primaryDataSource,
			BackfillProperties properties, BackfillSchemaInitializer schemaInitializer) {
		this.beanFactory = beanFactory;
		this.primaryDataSource = primaryDataSource;
		this.properties = properties;
		this.schemaInitializer = schemaInitializer;
	}

	List<MigrationTarget> resolve() {
		Map<String, DataMigration> migrations = this.beanFactory.getBeansOfType(DataMigration.class);
		warnAboutUnknownMigrationProperties(migrations);
		List<String> names = new ArrayList<>(migrations.keySet());
		names.sort(Comparator.comparingInt((String name) -> orderOf(name, migrations.get(name)))
			.thenComparing(Comparator.naturalOrder()));
		MigrationSettingsResolver resolver = new MigrationSettingsResolver(this.properties);
		List<MigrationTarget> targets = new ArrayList<>();
		for (String name : names) {
			DataMigration migration = migrations.get(name);
			DataMigrationConfig config = migration.config();
			if (config == null) {
				config = DataMigrationConfig.DEFAULTS;
			}
			targets.add(new MigrationTarget(migration, resolver.resolve(name, config, this.properties.getMigrations().get(name)),
					databaseOf(name, config.dataSource())));
		}
		return targets;
	}

	private int orderOf(String name, DataMigration migration) {
		if (migration instanceof Ordered ordered) {
			return ordered.getOrder();
		}
		Order order = this.beanFactory.findAnnotationOnBean(name, Order.class);
		return (order != null) ? order.value() : Ordered.LOWEST_PRECEDENCE;
	}

	private MigrationDatabase databaseOf(String migration, String dataSourceName) {
		DataSource dataSource = this.primaryDataSource;
		if (dataSourceName != null) {
			try {
				dataSource = this.beanFactory.getBean(dataSourceName, DataSource.class);
			}
			catch (NoSuchBeanDefinitionException ex) {
				throw new DataMigrationException(migration, "Migration '" + migration + "' names DataSource bean '"
						+ dataSourceName + "', which does not exist", ex);
			}
		}
		return this.databases.computeIfAbsent(dataSource, (source) -> {
			if (source != this.primaryDataSource) {
				this.schemaInitializer.initialize(source);
			}
			return MigrationDatabase.of(source, this.properties.getTableName());
		});
	}

	private void warnAboutUnknownMigrationProperties(Map<String, DataMigration> migrations) {
		for (String name : this.properties.getMigrations().keySet()) {
			if (!migrations.containsKey(name)) {
				logger.warn("backfill.migrations.{} names no DataMigration bean (there are: {})", name,
						migrations.keySet());
			}
		}
	}

}
