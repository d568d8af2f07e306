package dev.backfill.resilience;

import java.time.Duration;
import java.util.Map;

import dev.backfill.testsupport.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code backfill.mode=job} in a real process: a web application, which would otherwise
 * run on, exits by itself once the migrations are done, with the status a Kubernetes Job
 * reads.
 */
class JobModeTests {

	private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);

	private static final String[] WEB_JOB = { "backfill.mode=job", "backfill.batch-size=100",
			"backfill.throttle=0", "spring.main.web-application-type=servlet", "server.port=0",
			"logging.level.org.springframework.boot.tomcat=INFO" };

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void aWebApplicationInJobModeExitsWithStatusZeroOnceEveryMigrationHasCompleted(TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, 1000);
				FixtureProcesses apps = new FixtureProcesses(db, "job-success")) {
			FixtureProcess job = apps.start(WEB_JOB);
			int exitCode = job.awaitExit(EXIT_TIMEOUT);

			assertThat(exitCode).as("exit code; log:%n%s", job.log()).isZero();
			assertThat(job.log()).contains("Tomcat started on port")
				.contains("Backfill job done: every migration has completed");
			db.assertEveryRowMigratedExactlyOnce();
			db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();

			// Run again once done: nothing to do, still a success.
			FixtureProcess again = apps.start(WEB_JOB);
			assertThat(again.awaitExit(EXIT_TIMEOUT)).as("exit code of a second run; log:%n%s", again.log()).isZero();
			assertThat(db.committedBatches()).hasSize(10);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void aJobWhoseMigrationFailsExitsWithStatusOneLeavingItFailedWithTheBatchInLastError(TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, 1000);
				FixtureProcesses apps = new FixtureProcesses(db, "job-failure")) {
			// A thread outliving the context keeps the JVM up unless it is ended explicitly.
			FixtureProcess job = apps.start(concat(WEB_JOB, "fixture.fail-at-batch=4", "fixture.stray-thread=true"));
			int exitCode = job.awaitExit(EXIT_TIMEOUT);

			assertThat(exitCode).as("exit code; log:%n%s", job.log()).isEqualTo(1);
			assertThat(job.log()).contains("APPLICATION FAILED TO START")
				.contains("fixture failure in batch 4")
				.doesNotContain("Backfill job done");
			Map<String, Object> tracking = db.tracking();
			assertThat(tracking.get("status")).isEqualTo("FAILED");
			assertThat(tracking.get("last_key")).isEqualTo("300");
			assertThat(tracking.get("lease_owner")).isNull();
			assertThat((String) tracking.get("last_error")).contains("fixtureRows")
				.contains("301")
				.contains("fixture failure in batch 4");
			assertThat(db.committedBatches()).hasSize(3);
			assertThat(db.migratedRows()).isEqualTo(300);
		}
	}

	private static String[] concat(String[] first, String... more) {
		String[] all = new String[first.length + more.length];
		System.arraycopy(first, 0, all, 0, first.length);
		System.arraycopy(more, 0, all, first.length, more.length);
		return all;
	}

}
