package dev.backfill.benchmarks;

import java.util.List;
import java.util.Map;

import dev.backfill.DataMigration;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The startup app's one migration, loaded by name only in the {@code with} mode. */
@Configuration(proxyBeanMethods = false)
public class StartupMigrationConfig {

	/** Table the migration reads, in the benchmark schema. */
	static final String TABLE = "startup_users";

	/**
	 * The migration: fills {@code email_domain} of {@link #TABLE}.
	 * @param jdbc the application's JdbcTemplate
	 * @return the migration
	 */
	@Bean
	DataMigration startupEmailDomain(JdbcTemplate jdbc) {
		return new DataMigration() {
			@Override
			public String baseQuery() {
				return "SELECT id, email FROM " + TABLE + " WHERE email_domain IS NULL";
			}

			@Override
			public void migrate(List<Map<String, Object>> rows) {
				jdbc.batchUpdate("UPDATE " + TABLE + " SET email_domain = ? WHERE id = ?", rows, rows.size(),
						(ps, row) -> {
							ps.setString(1, BenchTable.domainOf((String) row.get("email")));
							ps.setLong(2, ((Number) row.get("id")).longValue());
						});
			}
		};
	}

}
