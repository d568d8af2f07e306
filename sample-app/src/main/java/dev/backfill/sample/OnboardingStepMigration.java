package dev.backfill.sample;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

import dev.backfill.DataMigration;
import dev.backfill.DataMigrationConfig;

import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Sets the new {@code users.onboarding_step} column: users who signed up before the
 * onboarding flow existed skip it, everyone else starts at its first step. It writes each
 * batch with one set-based {@code UPDATE} over the batch's key range, and brings settings
 * of its own through {@link #config()}.
 */
@Component("onboardingStep")
@Order(2)
public class OnboardingStepMigration implements DataMigration {

	/** When the onboarding flow went live; the sample's users sign up from 2024-01-01 on. */
	static final LocalDateTime ONBOARDING_LAUNCH = LocalDateTime.of(2024, 3, 1, 0, 0);

	private final JdbcTemplate jdbc;

	public OnboardingStepMigration(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public String baseQuery() {
		return "SELECT id FROM users WHERE onboarding_step IS NULL";
	}

	@Override
	public void migrate(List<Map<String, Object>> rows) {
		Object first = rows.get(0).get("id");
		Object last = rows.get(rows.size() - 1).get("id");
		// The batch is exactly the rows of the base query in [first, last], so one statement
		// over that range updates the whole batch.
		this.jdbc.update("UPDATE users SET onboarding_step = CASE WHEN created_at < ? THEN 'SKIPPED' "
				+ "ELSE 'WELCOME' END WHERE id BETWEEN ? AND ? AND onboarding_step IS NULL", ONBOARDING_LAUNCH,
				first, last);
	}

	@Override
	public DataMigrationConfig config() {
		// Set-based writes are cheap per row: bigger batches, but no statement may hold its
		// row locks for long. backfill.migrations.onboardingStep.* still overrides these.
		return DataMigrationConfig.builder()
			.batchSize(2000)
			.statementTimeout(Duration.ofSeconds(5))
			.lockTimeout(Duration.ofSeconds(2))
			.build();
	}

}
