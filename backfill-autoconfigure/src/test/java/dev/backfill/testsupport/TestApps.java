package dev.backfill.testsupport;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.backfill.DataMigration;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/** Starts real Spring Boot applications with the backfill auto-configuration on a test schema. */
public final class TestApps {

	private static volatile ConfigurableApplicationContext lastStarted;

	private TestApps() {
	}

	/**
	 * Operations on the DataSource of the application started last, for migrations that
	 * must write through the application's own DataSource (and so join its transactions).
	 */
	public static JdbcTemplate applicationJdbc() {
		return new JdbcTemplate(lastStarted.getBean(DataSource.class));
	}

	/**
	 * The application started last, for migrations that look at its beans (meters) while
	 * it is still starting.
	 */
	public static ConfigurableApplicationContext application() {
		return lastStarted;
	}

	/**
	 * Starts an application whose beans are the given migrations (by bean name) plus what
	 * auto-configuration adds.
	 * @param schema the schema the application's DataSource points at
	 * @param migrations migrations by bean name, registered in this order
	 * @param properties extra {@code key=value} properties
	 * @return the running application
	 */
	public static ConfigurableApplicationContext run(TestSchema schema, Map<String, ? extends DataMigration> migrations,
			String... properties) {
		return builder(schema, migrations, properties).run();
	}

	/** The builder {@link #run} uses, for tests that add to it. */
	public static SpringApplicationBuilder builder(TestSchema schema, Map<String, ? extends DataMigration> migrations,
			String... properties) {
		List<String> all = new ArrayList<>(List.of(schema.springPropertyPairs()));
		all.add("spring.main.banner-mode=off");
		all.add("logging.level.root=WARN");
		all.add("logging.level.dev.backfill=INFO");
		all.add("spring.sql.init.mode=never");
		all.add("spring.flyway.enabled=false");
		all.add("management.metrics.enable.all=true");
		all.addAll(List.of(properties));
		Map<String, DataMigration> beans = new LinkedHashMap<>(migrations);
		return new SpringApplicationBuilder(TestApplication.class).web(WebApplicationType.NONE)
			.properties(all.toArray(String[]::new))
			.initializers((context) -> {
				lastStarted = context;
				beans.forEach((name, migration) -> context.getBeanFactory().registerSingleton(name, migration));
			});
	}

	/** An application with nothing but auto-configuration. */
	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	public static class TestApplication {

	}

}
