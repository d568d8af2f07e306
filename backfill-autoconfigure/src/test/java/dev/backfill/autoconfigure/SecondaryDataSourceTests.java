package dev.backfill.autoconfigure;

import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import javax.sql.DataSource;

import dev.backfill.DataMigrationConfig;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * A migration of another DataSource keeps its tracking row in that DataSource's database,
 * whether or not there is a primary DataSource.
 */
class SecondaryDataSourceTests {

	private static final boolean PRIMARY = true;

	private static final boolean NOT_PRIMARY = false;

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void migrationOnANamedDataSourceIsTrackedInThatDatabase(TestDatabase database) {
		try (TestSchema primary = TestDatabases.h2().createSchema(); TestSchema reporting = database.createSchema()) {
			TestTables.createItems(reporting.jdbc(), 250);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().dataSource("reportingDataSource").batchSize(100).build());
			try (HikariDataSource primaryDataSource = primary.newDataSource(2);
					HikariDataSource reportingDataSource = reporting.newDataSource(2);
					ConfigurableApplicationContext app = start(primary, PRIMARY, primaryDataSource, reportingDataSource,
							Map.of("onReporting", migration))) {
				assertThat(migration.callsPerKey()).hasSize(250);
			}
			assertThat(Tracking.row(reporting.jdbc(), "onReporting").get("status")).isEqualTo("COMPLETED");
			// The primary DataSource got the (empty) tracking table at startup, but no row.
			JdbcTemplate primaryJdbc = primary.jdbc();
			assertThat(primaryJdbc.queryForObject("SELECT COUNT(*) FROM backfill_migrations", Integer.class)).isZero();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void migrationNamingItsDataSourceRunsWhenNoneIsPrimary(TestDatabase database) {
		try (TestSchema app = TestDatabases.h2().createSchema(); TestSchema reporting = database.createSchema()) {
			TestTables.createItems(reporting.jdbc(), 250);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().dataSource("reportingDataSource").batchSize(100).build());
			try (HikariDataSource appDataSource = app.newDataSource(2);
					HikariDataSource reportingDataSource = reporting.newDataSource(2);
					ConfigurableApplicationContext context = start(app, NOT_PRIMARY, appDataSource,
							reportingDataSource, Map.of("onReporting", migration))) {
				assertThat(migration.callsPerKey()).hasSize(250).containsOnlyKeys(keys(250));
			}
			assertThat(Tracking.row(reporting.jdbc(), "onReporting").get("status")).isEqualTo("COMPLETED");
		}
	}

	@Test
	void migrationNamingNoDataSourceFailsStartupNamingItAndTheCandidatesWhenNoneIsPrimary() {
		try (TestSchema app = TestDatabases.h2().createSchema(); TestSchema reporting = TestDatabases.h2().createSchema()) {
			TestTables.createItems(app.jdbc(), 5);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			try (HikariDataSource appDataSource = app.newDataSource(2);
					HikariDataSource reportingDataSource = reporting.newDataSource(2)) {
				assertThatException()
					.isThrownBy(() -> start(app, NOT_PRIMARY, appDataSource, reportingDataSource,
							Map.of("unplaced", migration)))
					.withStackTraceContaining("Migration 'unplaced' names no DataSource and there is no primary one "
							+ "among [appDataSource, reportingDataSource]: mark one @Primary or set "
							+ "DataMigrationConfig.builder().dataSource(\"...\")");
			}
			assertThat(migration.batches()).isEmpty();
		}
	}

	@Test
	void neverInitializingCreatesNoTrackingTableInANamedDataSource() {
		try (TestSchema primary = TestDatabases.h2().createSchema(); TestSchema reporting = TestDatabases.h2().createSchema()) {
			TestTables.createItems(reporting.jdbc(), 5);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().dataSource("reportingDataSource").build());
			try (HikariDataSource primaryDataSource = primary.newDataSource(2);
					HikariDataSource reportingDataSource = reporting.newDataSource(2)) {
				assertThatException()
					.isThrownBy(() -> start(primary, PRIMARY, primaryDataSource, reportingDataSource,
							Map.of("onReporting", migration), "backfill.initialize-schema=never"))
					.withStackTraceContaining("Cannot read the backfill tracking table 'backfill_migrations'");
			}
			assertThat(migration.batches()).isEmpty();
			assertThat(reporting.jdbc()
				.queryForObject("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = 'BACKFILL_MIGRATIONS'",
						Integer.class))
				.isZero();
		}
	}

	/**
	 * Starts an application with two DataSources: the first, {@code primaryDataSource} if
	 * it is {@code @Primary}, {@code appDataSource} if not, and {@code reportingDataSource}.
	 */
	private static ConfigurableApplicationContext start(TestSchema app, boolean firstIsPrimary, DataSource first,
			DataSource reporting, Map<String, RecordingMigration> migrations, String... properties) {
		// JPA (on the class path of the compatibility runs) needs a primary DataSource of its
		// own; what these tests show is backfill's behaviour without one.
		String[] all = Stream.concat(Stream.of(properties), Stream.of("spring.autoconfigure.exclude="
				+ "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration,"
				+ "org.springframework.boot.data.jpa.autoconfigure.DataJpaRepositoriesAutoConfiguration"))
			.toArray(String[]::new);
		return TestApps.builder(app, migrations, all).initializers((context) -> {
			GenericApplicationContext registry = (GenericApplicationContext) context;
			registry.registerBean(firstIsPrimary ? "primaryDataSource" : "appDataSource", DataSource.class, () -> first,
					(definition) -> definition.setPrimary(firstIsPrimary));
			registry.registerBean("reportingDataSource", DataSource.class, () -> reporting);
		}).run();
	}

	private static String[] keys(int count) {
		return IntStream.rangeClosed(1, count).mapToObj(Integer::toString).toArray(String[]::new);
	}

}
