package dev.backfill.autoconfigure;

import java.util.List;
import java.util.Map;

import dev.backfill.DataMigration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An application that {@link MigrationNamesTests} starts in a child JVM, so that it is
 * configured through real environment variables. Migration {@code fixEmails} sets
 * {@code migrated = 1} on the items with {@code val < 5}, {@code fixPhones} sets
 * {@code migrated = 2} on the others.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class EnvironmentVariableApplication {

	public static void main(String[] args) {
		SpringApplication application = new SpringApplication(EnvironmentVariableApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setDefaultProperties(Map.of("spring.main.banner-mode", "off", "spring.jmx.enabled", "false",
				"spring.flyway.enabled", "false", "spring.sql.init.mode", "never", "logging.level.root", "WARN",
				"logging.level.dev.backfill", "INFO"));
		application.run(args).close();
	}

	@Bean
	DataMigration fixEmails(JdbcTemplate jdbc) {
		return new Marking(jdbc, "SELECT id FROM items WHERE val < 5", 1);
	}

	@Bean
	DataMigration fixPhones(JdbcTemplate jdbc) {
		return new Marking(jdbc, "SELECT id FROM items WHERE val >= 5", 2);
	}

	private record Marking(JdbcTemplate jdbc, String baseQuery, int mark) implements DataMigration {

		@Override
		public void migrate(List<Map<String, Object>> rows) {
			this.jdbc.batchUpdate("UPDATE items SET migrated = ? WHERE id = ?",
					rows.stream().map((row) -> new Object[] { this.mark, row.get("id") }).toList());
		}

	}

}
