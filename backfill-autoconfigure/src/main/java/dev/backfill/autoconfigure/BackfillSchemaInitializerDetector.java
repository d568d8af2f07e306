package dev.backfill.autoconfigure;

import java.util.Set;

import org.springframework.boot.sql.init.dependency.AbstractBeansOfTypeDatabaseInitializerDetector;
import org.springframework.core.Ordered;

/**
 * Tells Spring Boot that {@link BackfillSchemaInitializer} beans initialize the database.
 * Its order puts them after Flyway, Liquibase and script-based initializers (order
 * {@code Ordered.LOWEST_PRECEDENCE - 100}).
 */
class BackfillSchemaInitializerDetector extends AbstractBeansOfTypeDatabaseInitializerDetector {

	@Override
	protected Set<Class<?>> getDatabaseInitializerBeanTypes() {
		return Set.of(BackfillSchemaInitializer.class);
	}

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE - 50;
	}

}
