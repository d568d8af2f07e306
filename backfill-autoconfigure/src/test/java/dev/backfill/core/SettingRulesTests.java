package dev.backfill.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import dev.backfill.DataMigration;
import dev.backfill.DataMigrationConfig;
import dev.backfill.DataMigrationException;
import dev.backfill.autoconfigure.BackfillAutoConfiguration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Every per-migration setting with a rule refuses the same values, for the same reason,
 * whether it is given to {@code DataMigrationConfig}'s builder, as a global
 * {@code backfill.*} property or as a {@code backfill.migrations.<name>.*} property.
 */
class SettingRulesTests {

	private static final String STATEMENT_REASON = "must be at least 1ms and at most 24d (leave it unset for no limit)";

	private static final String LOCK_REASON = "must be at least 1ms and at most 24d "
			+ "(leave it unset for the database's own)";

	private static final String TARGET_REASON = "must be at least 1ms and at most 24d";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, BackfillAutoConfiguration.class))
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:rules-${random.uuid};DB_CLOSE_DELAY=-1");

	/**
	 * Each row: the builder setting, the property, the value as a property and as given to
	 * the builder, and the reason it is refused ({@code null}: valid).
	 */
	static Stream<Arguments> values() {
		return Stream.of(
				row("batchSize", "batch-size", "0", (b) -> b.batchSize(0), "must be at least 1"),
				row("batchSize", "batch-size", "-1", (b) -> b.batchSize(-1), "must be at least 1"),
				row("batchSize", "batch-size", "1", (b) -> b.batchSize(1), null),
				row("throttle", "throttle", "-1ms", (b) -> b.throttle(Duration.ofMillis(-1)), "must not be negative"),
				row("throttle", "throttle", "0ms", (b) -> b.throttle(Duration.ZERO), null),
				row("statementTimeout", "statement-timeout", "0", (b) -> b.statementTimeout(Duration.ZERO),
						STATEMENT_REASON),
				row("statementTimeout", "statement-timeout", "-1s", (b) -> b.statementTimeout(Duration.ofSeconds(-1)),
						STATEMENT_REASON),
				row("statementTimeout", "statement-timeout", "999us",
						(b) -> b.statementTimeout(Duration.ofNanos(999_000)), STATEMENT_REASON),
				row("statementTimeout", "statement-timeout", "1ms", (b) -> b.statementTimeout(Duration.ofMillis(1)),
						null),
				row("statementTimeout", "statement-timeout", "24d", (b) -> b.statementTimeout(Duration.ofDays(24)),
						null),
				row("statementTimeout", "statement-timeout", "25d", (b) -> b.statementTimeout(Duration.ofDays(25)),
						STATEMENT_REASON),
				row("lockTimeout", "lock-timeout", "0", (b) -> b.lockTimeout(Duration.ZERO), LOCK_REASON),
				row("lockTimeout", "lock-timeout", "-1ms", (b) -> b.lockTimeout(Duration.ofMillis(-1)), LOCK_REASON),
				row("lockTimeout", "lock-timeout", "1ms", (b) -> b.lockTimeout(Duration.ofMillis(1)), null),
				row("lockTimeout", "lock-timeout", "24d", (b) -> b.lockTimeout(Duration.ofDays(24)), null),
				row("lockTimeout", "lock-timeout", "25d", (b) -> b.lockTimeout(Duration.ofDays(25)), LOCK_REASON),
				row("targetBatchDuration", "target-batch-duration", "0",
						(b) -> b.targetBatchDuration(Duration.ZERO), TARGET_REASON),
				row("targetBatchDuration", "target-batch-duration", "-1s",
						(b) -> b.targetBatchDuration(Duration.ofSeconds(-1)), TARGET_REASON),
				row("targetBatchDuration", "target-batch-duration", "1ms",
						(b) -> b.targetBatchDuration(Duration.ofMillis(1)), null),
				row("targetBatchDuration", "target-batch-duration", "25d",
						(b) -> b.targetBatchDuration(Duration.ofDays(25)), TARGET_REASON),
				row("minBatchSize", "min-batch-size", "0", (b) -> b.minBatchSize(0), "must be at least 1"),
				row("minBatchSize", "min-batch-size", "1", (b) -> b.minBatchSize(1), null),
				row("maxBatchSize", "max-batch-size", "0", (b) -> b.maxBatchSize(0), "must be at least 1"),
				// Above the default minimum (100) as a property, since both ends are checked together.
				row("maxBatchSize", "max-batch-size", "100", (b) -> b.maxBatchSize(100), null),
				row("maxPasses", "max-passes", "0", (b) -> b.maxPasses(0), "must be at least 1"),
				row("maxPasses", "max-passes", "1", (b) -> b.maxPasses(1), null));
	}

	private static Arguments row(String setting, String property, String value,
			Consumer<DataMigrationConfig.Builder> builderCall, @Nullable String reason) {
		return Arguments.of(setting, property, value, builderCall, reason);
	}

	@ParameterizedTest(name = "{0} = {2}")
	@MethodSource("values")
	void builderGlobalPropertyAndPerMigrationPropertyRefuseTheSameValuesForTheSameReason(String setting,
			String property, String value, Consumer<DataMigrationConfig.Builder> builderCall,
			@Nullable String reason) {
		Throwable builder = catchThrowable(() -> builderCall.accept(DataMigrationConfig.builder()));
		String global = refusal("backfill." + property, value);
		String perMigration = refusal("backfill.migrations.x." + property, value);
		if (reason == null) {
			assertThat(builder).as("builder").isNull();
			assertThat(global).as("global property").isNull();
			assertThat(perMigration).as("per-migration property").isNull();
			return;
		}
		assertThat(builder).as("builder").isInstanceOf(IllegalArgumentException.class);
		assertThat(builder.getMessage()).as("builder").startsWith(setting + " " + reason + " but was ");
		assertThat(global).as("global property").isEqualTo(reason);
		assertThat(perMigration).as("per-migration property").isEqualTo(reason);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("globalOnlyValues")
	void globalOnlySettingsAreRefusedAtStartupRatherThanWhenAMigrationRuns(String property, String value,
			@Nullable String reason) {
		assertThat(refusal("backfill." + property, value)).isEqualTo(reason);
	}

	static Stream<Arguments> globalOnlyValues() {
		return Stream.of(Arguments.of("retry.max-backoff", "0", "must be positive"),
				Arguments.of("retry.max-backoff", "1ms", null),
				Arguments.of("lease-duration", "25d", "must be at least 1s and at most 24d"),
				Arguments.of("lease-duration", "24d", null), Arguments.of("lease-duration", "1s", null),
				Arguments.of("throttle-on.replication-lag", "0",
						"must be positive (leave it unset not to throttle on replication lag)"),
				Arguments.of("throttle-on.replication-lag", "-1s",
						"must be positive (leave it unset not to throttle on replication lag)"),
				Arguments.of("throttle-on.replication-lag", "1ms", null),
				Arguments.of("throttle-on.check-interval", "0", "must be at least 1ms and at most 24d"),
				Arguments.of("throttle-on.check-interval", "25d", "must be at least 1ms and at most 24d"),
				Arguments.of("throttle-on.check-interval", "1ms", null));
	}

	@Test
	void minimumBatchSizeAboveTheMaximumIsRefusedNamingBoth() {
		assertThat(catchThrowable(() -> DataMigrationConfig.builder().minBatchSize(500).maxBatchSize(200).build()))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("minBatchSize must not be greater than maxBatchSize (200) but was 500");
		assertThat(refusal("backfill.min-batch-size", "500", "backfill.max-batch-size=200"))
			.isEqualTo("must not be greater than backfill.max-batch-size (200)");
		assertThat(refusal("backfill.migrations.x.min-batch-size", "500", "backfill.migrations.x.max-batch-size=200"))
			.isEqualTo("must not be greater than backfill.migrations.x.max-batch-size (200)");
		assertThat(refusal("backfill.min-batch-size", "200", "backfill.max-batch-size=200")).isNull();
	}

	@Test
	void minimumAndMaximumBatchSizeFromDifferentLevelsAreCheckedTogetherAtStartup() {
		DataMigration migration = migrationWith(DataMigrationConfig.builder().minBatchSize(300).build());
		this.contextRunner.withBean("narrow", DataMigration.class, () -> migration)
			.withPropertyValues("backfill.migrations.narrow.max-batch-size=200")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(DataMigrationException.class)
				.hasMessage("Migration 'narrow': config() minBatchSize (300) must not be greater than "
						+ "backfill.migrations.narrow.max-batch-size (200)"));
	}

	@Test
	void sweepWithoutVerifyIsRefusedNamingWhereEachWasSet() {
		assertThat(catchThrowable(() -> DataMigrationConfig.builder().verify(false).sweep(true).build()))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("sweep needs verify (the count of rows left that decides whether another pass runs), "
					+ "which is false");
		DataMigration migration = migrationWith(DataMigrationConfig.builder().sweep(true).build());
		this.contextRunner.withBean("sweeping", DataMigration.class, () -> migration)
			.withPropertyValues("backfill.verify=false")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(DataMigrationException.class)
				.hasMessage("Migration 'sweeping': config() sweep needs backfill.verify (the count of rows left that "
						+ "decides whether another pass runs), which is false"));
	}

	private static DataMigration migrationWith(DataMigrationConfig config) {
		return new DataMigration() {
			@Override
			public String baseQuery() {
				return "SELECT 1 AS id";
			}

			@Override
			public void migrate(List<Map<String, Object>> rows) {
			}

			@Override
			public DataMigrationConfig config() {
				return config;
			}
		};
	}

	/**
	 * Starts an application with one property set.
	 * @return the reason the property was refused at startup, or {@code null} if it started
	 */
	private @Nullable String refusal(String property, String value, String... others) {
		String[] reason = new String[1];
		this.contextRunner.withPropertyValues(property + "=" + value).withPropertyValues(others).run((context) -> {
			if (context.getStartupFailure() == null) {
				return;
			}
			for (Throwable cause = context.getStartupFailure(); cause != null; cause = cause.getCause()) {
				if (cause instanceof InvalidConfigurationPropertyValueException invalid) {
					assertThat(invalid.getName()).hasToString(property);
					reason[0] = invalid.getReason();
					return;
				}
			}
			throw new AssertionError("Startup failed for another reason than the property", context.getStartupFailure());
		});
		return reason[0];
	}

}
