package dev.backfill.chunks;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import dev.backfill.BackfillMode;
import dev.backfill.DataMigration;
import dev.backfill.MigrationListener;
import dev.backfill.internal.runner.BackfillRunner;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;
import dev.backfill.internal.settings.RunnerSettings;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code parallelism} 1 a migration runs as it did before chunks existed: each batch
 * is its {@code SELECT}, the migration's own statement and the checkpoint's
 * {@code UPDATE}, and nothing reads or writes the chunk table.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SingleWorkerStatementsTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void eachBatchIsItsSelectTheMigrationsStatementAndTheCheckpointAndNoChunkIsTouched(TestDatabase database) {
		try (TestSchema schema = database.createSchema(); HikariDataSource pool = schema.newDataSource(3)) {
			ParallelChunksTests.createRows(schema.jdbc(), 1000);
			List<String> statements = new CopyOnWriteArrayList<>();
			DataSource recording = recording(pool, statements);
			MigrationDatabase db = MigrationDatabase.of(recording, "backfill_migrations");
			db.store().createTableIfMissing();
			JdbcTemplate jdbc = new JdbcTemplate(recording);
			DataMigration migration = new DataMigration() {
				@Override
				public String baseQuery() {
					return "SELECT id FROM items_p";
				}

				@Override
				public void migrate(List<Map<String, Object>> rows) {
					jdbc.update("UPDATE items_p SET counter = counter + 1 WHERE id BETWEEN ? AND ?",
							rows.get(0).get("id"), rows.get(rows.size() - 1).get("id"));
				}
			};
			MigrationSettings settings = new MigrationSettings("single", true, 100, Duration.ZERO, "id", true, null,
					null);
			assertThat(settings.parallelism()).isOne();
			statements.clear();
			List<MigrationResult> results = new BackfillRunner(List.of(new MigrationTarget(migration, settings, db)),
					new RunnerSettings(Duration.ofMinutes(1), Duration.ofSeconds(10), 3, Duration.ofMillis(10),
							Duration.ofMillis(100)),
					MigrationListener.NONE)
				.run(BackfillMode.BLOCKING);
			assertThat(results).extracting(MigrationResult::outcome).containsExactly(MigrationResult.Outcome.COMPLETED);

			assertThat(statements).noneMatch((sql) -> sql.contains("_chunks"));
			// MariaDB sets and restores each batch's session limits (its idle timeout) around it; the
			// other databases carry them in the batch's SELECT or need none.
			List<String> limits = statements.stream().filter((sql) -> sql.startsWith("SET ")).toList();
			assertThat(limits).hasSize(database.name().equals("MariaDB") ? 2 * 10 : 0);
			List<List<String>> batches = batches(statements.stream().filter((sql) -> !limits.contains(sql)).toList());
			assertThat(batches).hasSize(10);
			for (List<String> batch : batches.subList(0, 9)) {
				assertThat(batch).hasSize(3);
				assertThat(batch.get(1)).startsWith("UPDATE items_p");
				assertThat(batch.get(2)).startsWith("UPDATE backfill_migrations SET last_key = ?");
			}
			// The last batch also makes sure no row with a NULL key is left, counts the rows the
			// base query still returns (the verify pass), then completes.
			List<String> last = batches.get(9);
			assertThat(last).hasSize(5);
			assertThat(last.get(2)).contains("IS NULL");
			assertThat(last.get(3)).startsWith("SELECT COUNT(*)");
			assertThat(last.get(4)).startsWith("UPDATE backfill_migrations SET status = 'COMPLETED'");
		}
	}

	/** The statements from each batch's SELECT up to the next one's. */
	private static List<List<String>> batches(List<String> statements) {
		List<List<String>> batches = new ArrayList<>();
		for (String sql : statements) {
			if (sql.contains("ORDER BY backfill_batch.id LIMIT")) {
				batches.add(new ArrayList<>());
			}
			if (!batches.isEmpty()) {
				batches.get(batches.size() - 1).add(sql);
			}
		}
		return batches;
	}

	/** The DataSource, with the SQL of every statement prepared or executed on its connections recorded. */
	private static DataSource recording(DataSource target, List<String> statements) {
		return proxy(DataSource.class, target, (method, args, result) -> (result instanceof Connection connection)
				? proxy(Connection.class, connection, (connectionMethod, connectionArgs, connectionResult) -> {
					if (connectionMethod.getName().startsWith("prepare")) {
						statements.add((String) connectionArgs[0]);
					}
					if (connectionResult instanceof Statement statement
							&& connectionMethod.getName().equals("createStatement")) {
						return proxy(Statement.class, statement, (statementMethod, statementArgs, statementResult) -> {
							if (statementMethod.getName().startsWith("execute") && statementArgs != null) {
								statements.add((String) statementArgs[0]);
							}
							return statementResult;
						});
					}
					return connectionResult;
				}) : result);
	}

	@FunctionalInterface
	private interface AfterCall {

		Object after(Method method, Object[] args, Object result) throws Exception;

	}

	@SuppressWarnings("unchecked")
	private static <T> T proxy(Class<T> type, T target, AfterCall after) {
		InvocationHandler handler = (proxy, method, args) -> {
			Object result;
			try {
				result = method.invoke(target, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
			return after.after(method, args, result);
		};
		return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, handler);
	}

}
