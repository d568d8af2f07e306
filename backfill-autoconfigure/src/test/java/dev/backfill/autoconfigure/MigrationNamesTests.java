package dev.backfill.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/** Migration names: exact in the tracking table, relaxed in properties, refused when ambiguous or too long. */
@ExtendWith(OutputCaptureExtension.class)
class MigrationNamesTests {

	@Test
	void namesThatDifferOnlyInCaseFailStartupNamingBoth() {
		try (TestSchema schema = TestDatabases.mariadb().createSchema()) {
			TestTables.createItems(schema.jdbc(), 5);
			RecordingMigration lower = new RecordingMigration("SELECT id FROM items");
			RecordingMigration upper = new RecordingMigration("SELECT id FROM items");
			Map<String, RecordingMigration> migrations = new LinkedHashMap<>();
			migrations.put("fixEmails", lower);
			migrations.put("FixEmails", upper);
			assertThatException().isThrownBy(() -> TestApps.run(schema, migrations))
				.withStackTraceContaining("Migrations 'fixEmails' and 'FixEmails' have names that differ only in case")
				.withStackTraceContaining("rename one of the beans");
			assertThat(lower.batches()).isEmpty();
			assertThat(upper.batches()).isEmpty();
			assertThat(schema.jdbc().queryForObject("SELECT COUNT(*) FROM backfill_migrations", Integer.class))
				.isZero();
		}
	}

	@Test
	void namesThatDifferOnlyInDashesFailStartupSinceOnePropertyKeyWouldConfigureBoth() {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 5);
			Map<String, RecordingMigration> migrations = new LinkedHashMap<>();
			migrations.put("fix-emails", new RecordingMigration("SELECT id FROM items"));
			migrations.put("fixEmails", new RecordingMigration("SELECT id FROM items"));
			assertThatException()
				.isThrownBy(() -> TestApps.run(schema, migrations, "backfill.migrations.fixemails.enabled=false"))
				.withStackTraceContaining("Migrations 'fix-emails' and 'fixEmails' have names that differ only in "
						+ "case or punctuation")
				.withStackTraceContaining("one backfill.migrations.fixemails.* property would configure both");
			assertThat(schema.jdbc().queryForObject("SELECT COUNT(*) FROM backfill_migrations", Integer.class))
				.isZero();
		}
	}

	@Test
	void mariaDbTrackingTableKeepsNamesThatDifferInCaseApart() {
		try (TestSchema schema = TestDatabases.mariadb().createSchema()) {
			TestTables.createItems(schema.jdbc(), 5);
			RecordingMigration first = new RecordingMigration("SELECT id FROM items");
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("fixEmails", first))) {
				assertThat(first.callsPerKey()).hasSize(5);
			}
			// Another application, with the other spelling, on the same table.
			RecordingMigration second = new RecordingMigration("SELECT id FROM items");
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("FixEmails", second))) {
				assertThat(second.callsPerKey()).hasSize(5);
			}
			assertThat(schema.jdbc().queryForList("SELECT name FROM backfill_migrations ORDER BY name", String.class))
				.containsExactlyInAnyOrder("fixEmails", "FixEmails");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void nameLongerThanTheNameColumnFailsStartupBeforeAnythingIsWritten(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			TestTables.createItems(schema.jdbc(), 5);
			String name = "m".repeat(230);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			assertThatException().isThrownBy(() -> TestApps.run(schema, Map.of(name, migration)))
				.withStackTraceContaining("Migration name '" + "m".repeat(40) + "…' is 230 characters long; "
						+ "the tracking table's name column holds at most 200: rename the bean");
			assertThat(migration.batches()).isEmpty();
			assertThat(schema.jdbc().queryForObject("SELECT COUNT(*) FROM backfill_migrations", Integer.class))
				.isZero();
		}
	}

	@Test
	void environmentVariableConfiguresTheMigrationWhoseNameItSpellsInUpperCase() throws Exception {
		try (TestSchema schema = TestDatabases.postgres().createSchema()) {
			TestTables.createItems(schema.jdbc(), 20);
			List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
				.toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
					System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
					EnvironmentVariableApplication.class.getName()));
			schema.springProperties().forEach((key, value) -> command.add("--" + key + "=" + value));
			// Spelled another way on the command line: Spring Boot merges both into each spelling's entry.
			command.add("--backfill.migrations.fix-phones.enabled=true");
			Path log = Files.createTempFile("environment-variable-application", ".log");
			ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
			builder.environment().put("BACKFILL_MIGRATIONS_FIXEMAILS_ENABLED", "false");
			builder.environment().put("BACKFILL_MIGRATIONS_FIXPHONES_BATCHSIZE", "4");
			Process process = builder.start();
			try {
				assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exited within 60 s").isTrue();
				assertThat(process.exitValue()).as(read(log)).isZero();
			}
			finally {
				process.destroyForcibly();
			}
			assertThat(read(log)).contains("Backfill migration 'fixEmails' is disabled");
			Map<String, Object> fixPhones = Tracking.row(schema.jdbc(), "fixPhones");
			assertThat(fixPhones.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) fixPhones.get("batches")).intValue()).as("10 rows in batches of 4").isEqualTo(3);
			assertThat(schema.jdbc().queryForObject("SELECT COUNT(*) FROM backfill_migrations WHERE name = 'fixEmails'",
					Integer.class))
				.isZero();
			assertThat(schema.jdbc().queryForList("SELECT migrated FROM items WHERE val < 5", Integer.class))
				.hasSize(10)
				.containsOnly(0);
			assertThat(schema.jdbc().queryForList("SELECT migrated FROM items WHERE val >= 5", Integer.class))
				.hasSize(10)
				.containsOnly(2);
		}
	}

	@Test
	void dottedBeanNameWrittenWithoutBracketsWarnsWithTheBracketedForm(CapturedOutput output) {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 5);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items");
			try (ConfigurableApplicationContext app = TestApps.run(schema, Map.of("v2.fix", migration),
					"backfill.migrations.v2.fix.batch-size=2")) {
				// Spring Boot binds no key from it, so the migration keeps its default batch size.
				assertThat(migration.batches()).hasSize(1);
			}
			assertThat(output).contains("backfill.migrations.v2.fix.batch-size")
				.contains("names no migration: there is no DataMigration bean 'v2' (there are: [v2.fix])")
				.contains("a bean name that contains dots must be written in brackets: "
						+ "backfill.migrations[v2.fix].batch-size");
		}
	}

	@Test
	void bracketedDottedBeanNameAndRelaxedSpellingsConfigureTheirMigrations(CapturedOutput output) {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 6);
			RecordingMigration dotted = new RecordingMigration("SELECT id FROM items");
			RecordingMigration dashed = new RecordingMigration("SELECT id FROM items");
			Map<String, RecordingMigration> migrations = new LinkedHashMap<>();
			migrations.put("v2.fix", dotted);
			migrations.put("fixEmails", dashed);
			try (ConfigurableApplicationContext app = TestApps.run(schema, migrations,
					"backfill.migrations[v2.fix].batch-size=2", "backfill.migrations.fix-emails.batch-size=3")) {
				assertThat(dotted.batches()).hasSize(3);
				assertThat(dashed.batches()).hasSize(2);
			}
			assertThat(output).doesNotContain("names no migration");
		}
	}

	private static String read(Path log) throws IOException {
		return Files.readString(log);
	}

}
