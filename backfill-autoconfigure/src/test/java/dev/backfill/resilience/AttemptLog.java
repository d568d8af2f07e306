package dev.backfill.resilience;

import java.util.UUID;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Every attempt at a batch, committed, rolled back or cut short by a kill, in table
 * {@code fixture_attempts}, written through a DataSource of its own in autocommit, outside
 * the batch's transaction: a row when the attempt starts ({@code migrate} is called), its
 * end and outcome when the batch's transaction has ended. An attempt of a killed process
 * has no end.
 */
final class AttemptLog {

	/** The property that turns the log on in the fixture application. */
	static final String PROPERTY = "fixture.attempt-log";

	private final JdbcTemplate jdbc;

	private AttemptLog(Environment environment) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(environment.getRequiredProperty("spring.datasource.url"));
		config.setUsername(environment.getProperty("spring.datasource.username"));
		config.setPassword(environment.getProperty("spring.datasource.password"));
		config.setMaximumPoolSize(2);
		config.setAutoCommit(true);
		this.jdbc = new JdbcTemplate(new HikariDataSource(config));
	}

	static AttemptLog of(Environment environment) {
		return environment.getProperty(PROPERTY, Boolean.class, false) ? new AttemptLog(environment) : null;
	}

	static void createTable(JdbcTemplate jdbc) {
		jdbc.execute("CREATE TABLE fixture_attempts (id VARCHAR(40) PRIMARY KEY, worker VARCHAR(300) NOT NULL, "
				+ "first_id BIGINT NOT NULL, started_us BIGINT NOT NULL, ended_us BIGINT, outcome VARCHAR(20))");
	}

	/** Logs the start of an attempt, and its end once the batch's transaction ends. */
	void begin(String worker, long firstId) {
		String id = UUID.randomUUID().toString();
		this.jdbc.update("INSERT INTO fixture_attempts (id, worker, first_id, started_us) VALUES (?, ?, ?, ?)", id,
				worker, firstId, FixtureApplication.nowMicros());
		TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
			@Override
			public void afterCompletion(int status) {
				AttemptLog.this.jdbc.update("UPDATE fixture_attempts SET ended_us = ?, outcome = ? WHERE id = ?",
						FixtureApplication.nowMicros(), (status == STATUS_COMMITTED) ? "COMMITTED" : "ROLLED_BACK", id);
			}
		});
	}

}
