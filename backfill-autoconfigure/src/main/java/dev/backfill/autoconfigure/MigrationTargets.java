package dev.backfill.autoconfigure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.backfill.DataMigration;
import dev.backfill.DataMigrationConfig;
import dev.backfill.DataMigrationException;
import dev.backfill.SqlMigration;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * Finds the {@link DataMigration} and {@link SqlMigration} beans and turns them into
 * runnable targets: named by their bean names (one namespace for both kinds), ordered by
 * {@code @Order}/{@link Ordered} and then by name, with their settings merged and their
 * DataSource resolved.
 */
final class MigrationTargets {

	private final ConfigurableListableBeanFactory beanFactory;

	private final @Nullable DataSource primaryDataSource;

	private final Environment environment;

	private final BackfillProperties properties;

	private final @Nullable BackfillSchemaInitializer schemaInitializer;

	private final Map<DataSource, MigrationDatabase> databases = new IdentityHashMap<>();

	/**
	 * Creates the resolver.
	 * @param beanFactory where the migrations and DataSources are
	 * @param primaryDataSource the DataSource of migrations that name none: the only one or
	 * the {@code @Primary} one, {@code null} if there is no such one
	 * @param environment where the per-migration properties come from, for warnings
	 * @param properties the bound properties
	 * @param schemaInitializer what creates the tracking table in each DataSource, {@code null}
	 * when it is never to be created
	 */
	MigrationTargets(ConfigurableListableBeanFactory beanFactory, @Nullable DataSource primaryDataSource,
			Environment environment, BackfillProperties properties,
			@Nullable BackfillSchemaInitializer schemaInitializer) {
		this.beanFactory = beanFactory;
		this.primaryDataSource = primaryDataSource;
		this.environment = environment;
		this.properties = properties;
		this.schemaInitializer = schemaInitializer;
	}

	List<MigrationTarget> resolve() {
		Map<String, Object> migrations = migrationBeans();
		MigrationNames checkedNames = new MigrationNames(migrations.keySet());
		checkedNames.warnAboutPropertiesNamingNoMigration(this.environment);
		List<String> names = new ArrayList<>(migrations.keySet());
		names.sort(Comparator.comparingInt((String name) -> orderOf(name, migrations.get(name)))
			.thenComparing(Comparator.naturalOrder()));
		MigrationSettingsResolver resolver = new MigrationSettingsResolver(this.properties);
		List<MigrationTarget> targets = new ArrayList<>();
		for (String name : names) {
			Object migration = migrations.get(name);
			DataMigrationConfig config = (migration instanceof SqlMigration sql) ? sql.config()
					: ((DataMigration) migration).config();
			if (config == null) {
				config = DataMigrationConfig.DEFAULTS;
			}
			BackfillProperties.Migration own = checkedNames.propertiesOf(name, this.properties.getMigrations());
			MigrationSettings settings = resolver.resolve(name, config, own);
			MigrationDatabase database = databaseOf(name, config.dataSource());
			targets.add((migration instanceof SqlMigration sql) ? MigrationTarget.of(sql, settings, database)
					: new MigrationTarget((DataMigration) migration, settings, database));
		}
		return targets;
	}

	/**
	 * The {@link DataMigration} and {@link SqlMigration} beans by name: one namespace.
	 */
	private Map<String, Object> migrationBeans() {
		Map<String, Object> migrations = new LinkedHashMap<>(this.beanFactory.getBeansOfType(DataMigration.class));
		this.beanFactory.getBeansOfType(SqlMigration.class).forEach((name, migration) -> {
			if (migrations.putIfAbsent(name, migration) != null) {
				throw new DataMigrationException(name, "Migration '" + name + "' is both a DataMigration and a "
						+ "SqlMigration: implement one of the two", null);
			}
		});
		return migrations;
	}

	private int orderOf(String name, Object migration) {
		if (migration instanceof Ordered ordered) {
			return ordered.getOrder();
		}
		Order order = this.beanFactory.findAnnotationOnBean(name, Order.class);
		return (order != null) ? order.value() : Ordered.LOWEST_PRECEDENCE;
	}

	private MigrationDatabase databaseOf(String migration, @Nullable String dataSourceName) {
		DataSource dataSource = (dataSourceName != null) ? namedDataSource(migration, dataSourceName)
				: primaryDataSource(migration);
		return this.databases.computeIfAbsent(dataSource, (source) -> {
			// The schema initializer bean has created it in the primary one already.
			if (source != this.primaryDataSource && this.schemaInitializer != null) {
				this.schemaInitializer.initialize(source);
			}
			return MigrationDatabase.of(source, this.properties.getTableName());
		});
	}

	private DataSource namedDataSource(String migration, String dataSourceName) {
		try {
			return this.beanFactory.getBean(dataSourceName, DataSource.class);
		}
		catch (NoSuchBeanDefinitionException ex) {
			throw new DataMigrationException(migration, "Migration '" + migration + "' names DataSource bean '"
					+ dataSourceName + "', which does not exist", ex);
		}
	}

	private DataSource primaryDataSource(String migration) {
		if (this.primaryDataSource == null) {
			throw new DataMigrationException(migration,
					"Migration '" + migration + "' names no DataSource and there is no primary one among "
							+ Arrays.toString(this.beanFactory.getBeanNamesForType(DataSource.class))
							+ ": mark one @Primary or set DataMigrationConfig.builder().dataSource(\"...\")",
					null);
		}
		return this.primaryDataSource;
	}

}
