package dev.backfill.compat;

import java.util.List;
import java.util.Map;

import dev.backfill.DataMigration;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application whose only transaction manager is JPA's: backfill brings its own per
 * DataSource, and a migration writing with JdbcTemplate commits with its checkpoint.
 */
class JpaApplicationTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void migratesInAnApplicationWhoseOnlyTransactionManagerIsJpas(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE accounts (id BIGINT PRIMARY KEY, email VARCHAR(100) NOT NULL, "
					+ "email_domain VARCHAR(100))");
			TestTables.insert(jdbc, "INSERT INTO accounts (id, email) VALUES (?, ?)", 2_500,
					(i) -> new Object[] { (long) i, "user" + i + "@host" + (i % 7) + ".example" });
			try (ConfigurableApplicationContext app = new SpringApplicationBuilder(JpaApplication.class)
				.web(WebApplicationType.NONE)
				.properties(schema.springPropertyPairs())
				.properties("spring.main.banner-mode=off", "spring.jpa.hibernate.ddl-auto=none",
						"spring.flyway.enabled=false", "backfill.batch-size=500", "backfill.throttle=0",
						"logging.level.root=WARN")
				.run()) {
				assertThat(app.getBeansOfType(PlatformTransactionManager.class).values()).singleElement()
					.isInstanceOf(JpaTransactionManager.class);
			}
			assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM accounts WHERE email_domain IS NULL", Integer.class))
				.isZero();
			assertThat(jdbc.queryForObject("SELECT email_domain FROM accounts WHERE id = 10", String.class))
				.isEqualTo("host3.example");
			Map<String, Object> row = Tracking.row(jdbc, "emailDomain");
			assertThat(row.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(2_500);
		}
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class JpaApplication {

		@Bean
		DataMigration emailDomain(JdbcTemplate jdbc) {
			return new DataMigration() {

				@Override
				public String baseQuery() {
					return "SELECT id, email FROM accounts WHERE email_domain IS NULL";
				}

				@Override
				public void migrate(List<Map<String, Object>> rows) {
					jdbc.batchUpdate("UPDATE accounts SET email_domain = ? WHERE id = ?",
							rows.stream()
								.map((row) -> new Object[] { ((String) row.get("email")).split("@")[1], row.get("id") })
								.toList());
				}

			};
		}

	}

	/** The application's JPA entity, so that Hibernate and its transaction manager start. */
	@Entity
	@Table(name = "accounts")
	static class Account {

		@Id
		Long id;

		String email;

	}

}
