package dev.backfill.resilience;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import dev.backfill.DataMigration;
import dev.backfill.internal.runner.BackfillRunner;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The application the multi-process tests start, kill, freeze and restart as a child JVM
 * (see {@link FixtureProcess}). Its one migration, {@code fixtureRows}, increments
 * {@code fixture_rows.counter} of every row of a batch and records the batch in
 * {@code fixture_batches}, both through the application's JdbcTemplate and so in the
 * batch's own transaction: a row of {@code fixture_batches} exists exactly when that
 * batch committed. {@code fixture.hold} makes each batch keep its row locks that long
 * before it finishes. {@code fixture.die} ({@code in-migrate}, {@code before-commit} or
 * {@code after-commit}) halts the JVM at that point of the {@code fixture.die-at-batch}-th
 * batch this process runs, with exit code {@link #DIED}: a crash placed exactly.
 * {@code fixture.fail-at-batch} makes that batch throw, failing the migration;
 * {@code fixture.stray-thread=true} starts a non-daemon thread that outlives the context,
 * as an application's own executor might, so the JVM does not end by itself;
 * {@code fixture.attempt-log=true} logs every attempt in an {@link AttemptLog}.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class FixtureApplication {

	/** The migration's (bean) name. */
	static final String MIGRATION = "fixtureRows";

	/** The exit code of a process that died where {@code fixture.die} placed its death. */
	static final int DIED = 97;

	public static void main(String[] args) {
		// A child orphaned by a crashed test JVM must not run on.
		ProcessHandle.current()
			.parent()
			.ifPresent((parent) -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
		application().run(args);
	}

	/**
	 * The fixture application, to run with {@code --key=value} arguments, in a child JVM
	 * or in the test's own.
	 * @return the application
	 */
	static SpringApplication application() {
		SpringApplication application = new SpringApplication(FixtureApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setDefaultProperties(Map.of("spring.main.banner-mode", "off", "spring.jmx.enabled", "false",
				"spring.flyway.enabled", "false", "spring.sql.init.mode", "never", "logging.level.root", "WARN",
				"logging.level.dev.backfill", "INFO", "spring.datasource.hikari.maximum-pool-size", "3",
				"spring.datasource.hikari.minimum-idle", "1"));
		return application;
	}

	@Bean(MIGRATION)
	DataMigration fixtureRows(JdbcTemplate jdbc, ObjectProvider<BackfillRunner> runner, Environment environment) {
		Duration hold = environment.getProperty("fixture.hold", Duration.class, Duration.ZERO);
		String die = environment.getProperty("fixture.die", "");
		int dieAtBatch = environment.getProperty("fixture.die-at-batch", Integer.class, 0);
		int failAtBatch = environment.getProperty("fixture.fail-at-batch", Integer.class, 0);
		AtomicInteger batches = new AtomicInteger();
		AttemptLog attempts = AttemptLog.of(environment);
		return new DataMigration() {

			@Override
			public String baseQuery() {
				return "SELECT id FROM fixture_rows";
			}

			@Override
			public void migrate(List<Map<String, Object>> rows) throws InterruptedException {
				if (batches.get() + 1 == failAtBatch) {
					throw new IllegalStateException("fixture failure in batch " + failAtBatch);
				}
				if (attempts != null) {
					attempts.begin(runner.getObject().owner() + "/" + Thread.currentThread().getName(),
							((Number) rows.get(0).get("id")).longValue());
				}
				writeBatch(jdbc, runner.getObject().owner(), rows, hold);
				if (batches.incrementAndGet() == dieAtBatch) {
					dieAt(die);
				}
			}

		};
	}

	@Bean
	@ConditionalOnBooleanProperty("fixture.stray-thread")
	Thread fixtureStrayThread() {
		Thread thread = new Thread(() -> {
			try {
				Thread.sleep(Long.MAX_VALUE);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}, "fixture-stray");
		thread.start();
		return thread;
	}

	/**
	 * The migration's writes for one batch, through operations that join the batch's
	 * transaction: increments each row's counter, then records the batch under its owner.
	 * @param jdbc the operations
	 * @param owner the runner's owner id
	 * @param rows the batch
	 * @param hold how long to keep the rows locked before recording the batch
	 */
	static void writeBatch(JdbcTemplate jdbc, String owner, List<Map<String, Object>> rows, Duration hold)
			throws InterruptedException {
		long started = nowMicros();
		long first = ((Number) rows.get(0).get("id")).longValue();
		long last = ((Number) rows.get(rows.size() - 1).get("id")).longValue();
		int updated = jdbc.update("UPDATE fixture_rows SET counter = counter + 1 WHERE id BETWEEN ? AND ?", first,
				last);
		if (updated != rows.size()) {
			throw new IllegalStateException(
					"Batch " + first + ".." + last + " of " + rows.size() + " rows updated " + updated);
		}
		if (!hold.isZero()) {
			Thread.sleep(hold.toMillis());
		}
		jdbc.update("INSERT INTO fixture_batches (owner, first_id, last_id, row_count, started_us, finished_us)"
				+ " VALUES (?, ?, ?, ?, ?, ?)", owner, first, last, rows.size(), started, nowMicros());
	}

	/** Halts the JVM now, or just before or just after the commit of the batch's transaction. */
	private static void dieAt(String point) {
		switch (point) {
			case "in-migrate" -> Runtime.getRuntime().halt(DIED);
			case "before-commit" -> TransactionSynchronizationManager.registerSynchronization(
					new TransactionSynchronization() {
						@Override
						public void beforeCommit(boolean readOnly) {
							Runtime.getRuntime().halt(DIED);
						}
					});
			case "after-commit" -> TransactionSynchronizationManager.registerSynchronization(
					new TransactionSynchronization() {
						@Override
						public void afterCommit() {
							Runtime.getRuntime().halt(DIED);
						}
					});
			default -> throw new IllegalArgumentException("fixture.die: unknown point '" + point + "'");
		}
	}

	/** Wall-clock microseconds, comparable between processes on one machine. */
	static long nowMicros() {
		return ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
	}

}
