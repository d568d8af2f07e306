package dev.backfill.autoconfigure;

import javax.sql.DataSource;

import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.store.MigrationStore;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.sql.init.DatabaseInitializationMode;

/**
 * Creates the tracking table in the primary DataSource (the only one, or the
 * {@code @Primary} one; none if there is no such one), if missing, when the context
 * starts. The auto-configuration defines it only when {@code backfill.initialize-schema}
 * is not {@code never}. Spring Boot knows it as a database initializer (through
 * {@link BackfillSchemaInitializerDetector}), so it runs after Flyway, Liquibase and
 * {@code spring.sql.init} scripts, and before beans that depend on database
 * initialization. The runner creates the table likewise in any other DataSource a
 * migration names.
 *
 * @since 0.1.0
 */
public class BackfillSchemaInitializer implements InitializingBean {

	private final @Nullable DataSource dataSource;

	private final String tableName;

	private final DatabaseInitializationMode mode;

	/**
	 * Creates an initializer.
	 * @param dataSource the DataSource to create the table in at startup, {@code null} for
	 * none (then only {@link #initialize(DataSource)} creates it)
	 * @param tableName the table's name
	 * @param mode when to create it
	 */
	public BackfillSchemaInitializer(@Nullable DataSource dataSource, String tableName, DatabaseInitializationMode mode) {
		this.dataSource = dataSource;
		this.tableName = tableName;
		this.mode = mode;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.dataSource != null) {
			initialize(this.dataSource);
		}
	}

	/**
	 * Creates the tracking table in a DataSource unless it exists or the mode says not to.
	 * @param dataSource the DataSource
	 * @return whether the mode allowed creating it
	 */
	public boolean initialize(DataSource dataSource) {
		if (this.mode == DatabaseInitializationMode.NEVER || (this.mode == DatabaseInitializationMode.EMBEDDED
				&& !EmbeddedDatabaseConnection.isEmbedded(dataSource))) {
			return false;
		}
		new MigrationStore(dataSource, MigrationDatabase.dialectOf(dataSource), this.tableName).createTableIfMissing();
		return true;
	}

}
