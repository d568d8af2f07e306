package dev.backfill.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import dev.backfill.DataMigrationConfig;
import dev.backfill.MigrationListener;
import dev.backfill.metrics.MicrometerMigrationListener;
import dev.backfill.testsupport.RecordingMigration;
import dev.backfill.testsupport.TestApps;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import dev.backfill.testsupport.TestTables;
import dev.backfill.testsupport.Tracking;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.Order;

import static org.assertj.core.api.Assertions.assertThat;

/** Every MigrationListener bean is told, by @Order, next to the Micrometer one. */
class MigrationListenersTests {

	private final List<String> calls = Collections.synchronizedList(new ArrayList<>());

	@Test
	void userListenersAndTheMetricsListenerAllSeeEveryBatchInOrder() {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 250);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().batchSize(100).build());
			double rows;
			// Registered in the opposite order to their @Order.
			try (ConfigurableApplicationContext app = TestApps.builder(schema, Map.of("items", migration))
				.initializers((context) -> {
					context.getBeanFactory().registerSingleton("secondListener", new SecondListener(this.calls));
					context.getBeanFactory().registerSingleton("firstListener", new FirstListener(this.calls));
				})
				.run()) {
				assertThat(app.getBeansOfType(MigrationListener.class)).containsKey("backfillMetricsListener");
				rows = app.getBean(MeterRegistry.class)
					.get(MicrometerMigrationListener.ROWS)
					.tag("migration", "items")
					.counter()
					.count();
			}
			assertThat(rows).isEqualTo(250);
			assertThat(this.calls).containsExactly("first reached items", "second reached items",
					"first succeeded items 100", "second succeeded items 100", "first succeeded items 100",
					"second succeeded items 100", "first succeeded items 50", "second succeeded items 50");
		}
	}

	@Test
	void listenerThatThrowsBreaksNoBatchAndTheOthersAreStillTold() {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			TestTables.createItems(schema.jdbc(), 250);
			RecordingMigration migration = new RecordingMigration("SELECT id FROM items",
					DataMigrationConfig.builder().batchSize(100).build());
			try (ConfigurableApplicationContext app = TestApps.builder(schema, Map.of("items", migration))
				.initializers((context) -> {
					context.getBeanFactory().registerSingleton("throwingListener", new ThrowingListener());
					context.getBeanFactory().registerSingleton("secondListener", new SecondListener(this.calls));
				})
				.run()) {
				assertThat(migration.callsPerKey()).hasSize(250);
			}
			assertThat(migration.callsPerKey().values()).containsOnly(1);
			Map<String, Object> row = Tracking.row(schema.jdbc(), "items");
			assertThat(row.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) row.get("batches")).intValue()).isEqualTo(3);
			assertThat(this.calls).containsExactly("second reached items", "second succeeded items 100",
					"second succeeded items 100", "second succeeded items 50");
		}
	}

	/** Records what it is told, under a name. */
	abstract static class RecordingListener implements MigrationListener {

		private final String name;

		private final List<String> calls;

		RecordingListener(String name, List<String> calls) {
			this.name = name;
			this.calls = calls;
		}

		@Override
		public void migrationReached(String migration) {
			this.calls.add(this.name + " reached " + migration);
		}

		@Override
		public void batchSucceeded(String migration, int rows, Duration duration) {
			this.calls.add(this.name + " succeeded " + migration + " " + rows);
		}

	}

	@Order(1)
	static class FirstListener extends RecordingListener {

		FirstListener(List<String> calls) {
			super("first", calls);
		}

	}

	@Order(2)
	static class SecondListener extends RecordingListener {

		SecondListener(List<String> calls) {
			super("second", calls);
		}

	}

	@Order(1)
	static class ThrowingListener implements MigrationListener {

		@Override
		public void migrationReached(String migration) {
			throw new IllegalStateException("listener broken");
		}

		@Override
		public void batchSucceeded(String migration, int rows, Duration duration) {
			throw new IllegalStateException("listener broken");
		}

	}

}
