package dev.backfill.resilience;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.backfill.BackfillOperations;
import dev.backfill.DataMigration;
import dev.backfill.MigrationStatus;
import dev.backfill.internal.operations.TrackingTableOperations;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.testsupport.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static dev.backfill.resilience.Waiting.await;
import static dev.backfill.resilience.Waiting.pause;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pause made on one instance (this JVM's operations API) stops the run of another (a
 * child JVM) after its batch in flight, which is refused; a resume there lets the other
 * instance's watcher continue from the checkpoint, each row migrated once.
 */
class PauseAcrossInstancesTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#servers")
	void aPauseOnOneInstanceStopsTheRunOnAnotherAndAResumeThereContinuesItEachRowOnce(TestDatabase database) {
		try (FixtureDatabase db = FixtureDatabase.create(database, 10_000);
				FixtureProcesses apps = new FixtureProcesses(db, "pause");
				TrackingSampler tracking = TrackingSampler.start(db)) {
			// Stays up after its startup pass, as a web application would, so its watcher can resume.
			FixtureProcess runner = apps.start("backfill.mode=background", "backfill.batch-size=200",
					"backfill.throttle=0", "fixture.hold=50ms", "backfill.lease-duration=3s",
					"fixture.stray-thread=true");
			await("the other instance to commit 5 batches", Duration.ofSeconds(60), runner,
					() -> runner.owns(tracking.leaseOwner()) && tracking.batches() >= 5);
			BackfillOperations here = operations(db);

			assertThat(here.pause(FixtureApplication.MIGRATION, "operator@here").status())
				.isEqualTo(MigrationStatus.PAUSED);
			await("the other instance to let go of the paused migration", Duration.ofSeconds(30), runner,
					() -> db.tracking().get("lease_owner") == null);
			Map<String, Object> paused = db.tracking();
			assertThat(paused.get("status")).isEqualTo("PAUSED");
			assertThat(paused.get("paused_by")).isEqualTo("operator@here");
			long lastKey = Long.parseLong(paused.get("last_key").toString());
			assertThat(lastKey).isBetween(1L, db.rows() - 1L);
			// The batch in flight was refused: exactly the rows up to the checkpoint are migrated.
			assertThat(db.counters(1, lastKey)).isEqualTo(Map.of(1, (int) lastKey));
			assertThat(db.counters(lastKey + 1, db.rows())).isEqualTo(Map.of(0, (int) (db.rows() - lastKey)));
			assertThat(db.committedBatches()).hasSize(((Number) paused.get("batches")).intValue());
			await("the other instance to log the pause", Duration.ofSeconds(10), runner,
					() -> runner.log().contains("Backfill migration 'fixtureRows' paused by operator@here"));
			// Its watcher passes over the paused migration.
			pause(Duration.ofMillis(1_500));
			assertThat(db.tracking()).isEqualTo(paused);

			// Runnable again; a watcher may take it between the resume's write and its read of the row.
			assertThat(here.resume(FixtureApplication.MIGRATION).status()).isIn(MigrationStatus.PENDING, MigrationStatus.RUNNING,
					MigrationStatus.COMPLETED);
			await("the other instance's watcher to complete the resumed migration", Duration.ofSeconds(60), runner,
					() -> "COMPLETED".equals(db.tracking().get("status")));
			assertThat(runner.log()).contains("resuming after key " + lastKey);
			db.assertEveryRowMigratedExactlyOnce();
			db.assertBatchesCommittedOnceAndOwnersNeverOverlapped();
			int samples = tracking.assertCheckpointNeverMovedBackwards();
			runner.terminate();
			runner.awaitExit(Duration.ofSeconds(20));
			System.out.printf("RESILIENCE [%s] pause from another JVM: stopped after key %d with the batch in flight "
					+ "refused, resumed by the running instance's watcher, all %d rows once, checkpoint monotonic "
					+ "over %d samples%n", db.databaseName(), lastKey, db.rows(), samples);
		}
	}

	/** The operations API of an instance in this JVM, on the fixture's tracking table. */
	private static BackfillOperations operations(FixtureDatabase db) {
		DataMigration declared = new DataMigration() {
			@Override
			public String baseQuery() {
				return "SELECT id FROM fixture_rows";
			}

			@Override
			public void migrate(List<Map<String, Object>> rows) {
				throw new UnsupportedOperationException("only the other instance runs it");
			}
		};
		MigrationSettings settings = new MigrationSettings(FixtureApplication.MIGRATION, true, 200, Duration.ZERO,
				"id", true, null, null);
		MigrationTarget target = new MigrationTarget(declared, settings,
				MigrationDatabase.of(db.schema().dataSource(), "backfill_migrations"));
		return new TrackingTableOperations(List.of(target), (dataSource) -> "dataSource");
	}

}
