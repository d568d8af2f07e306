package dev.backfill.testsupport;

import java.io.IOException;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.mariadb.MariaDBContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The databases tests run against, each found in this order: a JDBC URL given in the
 * environment ({@code BACKFILL_TEST_POSTGRES_URL}, {@code _USERNAME}, {@code _PASSWORD};
 * likewise {@code MARIADB}); Testcontainers when a Docker engine is available; for
 * PostgreSQL, an embedded PostgreSQL. A database that cannot be had skips its tests, and
 * fails them when {@code CI=true}.
 */
public final class TestDatabases {

	private static final Lazy<TestDatabase> H2 = new Lazy<>(H2Database::new);

	private static final Lazy<TestDatabase> POSTGRES = new Lazy<>(TestDatabases::findPostgres);

	private static final Lazy<TestDatabase> MARIADB = new Lazy<>(TestDatabases::findMariaDb);

	private static final Lazy<Boolean> DOCKER = new Lazy<>(TestDatabases::dockerAvailable);

	private TestDatabases() {
	}

	/** H2, PostgreSQL and MariaDB, for {@code @MethodSource}. */
	public static Stream<TestDatabase> all() {
		return Stream.of(h2(), postgres(), mariadb());
	}

	/** PostgreSQL and MariaDB, the real servers, for {@code @MethodSource}. */
	public static Stream<TestDatabase> servers() {
		return Stream.of(postgres(), mariadb());
	}

	public static TestDatabase h2() {
		return H2.get();
	}

	public static TestDatabase postgres() {
		return POSTGRES.get();
	}

	public static TestDatabase mariadb() {
		return MARIADB.get();
	}

	private static TestDatabase findPostgres() {
		String url = System.getenv("BACKFILL_TEST_POSTGRES_URL");
		if (url != null && !url.isBlank()) {
			return new ServerDatabase.Postgres(url, env("BACKFILL_TEST_POSTGRES_USERNAME", "postgres"),
					env("BACKFILL_TEST_POSTGRES_PASSWORD", ""));
		}
		if (DOCKER.get()) {
			PostgreSQLContainer container = new PostgreSQLContainer("postgres:15-alpine");
			container.start();
			return new ServerDatabase.Postgres(container.getJdbcUrl(), container.getUsername(),
					container.getPassword());
		}
		try {
			EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
			Runtime.getRuntime().addShutdownHook(new Thread(() -> {
				try {
					postgres.close();
				}
				catch (IOException ex) {
					// The JVM is going away anyway.
				}
			}));
			return new ServerDatabase.Postgres(postgres.getJdbcUrl("postgres", "postgres"), "postgres", "");
		}
		catch (IOException | RuntimeException ex) {
			return new UnavailableDatabase("PostgreSQL", "no BACKFILL_TEST_POSTGRES_URL, no Docker engine, and "
					+ "embedded PostgreSQL failed to start: " + ex.getMessage());
		}
	}

	private static TestDatabase findMariaDb() {
		String url = System.getenv("BACKFILL_TEST_MARIADB_URL");
		if (url != null && !url.isBlank()) {
			return new ServerDatabase.MariaDb(url, env("BACKFILL_TEST_MARIADB_USERNAME", "root"),
					env("BACKFILL_TEST_MARIADB_PASSWORD", ""));
		}
		if (DOCKER.get()) {
			MariaDBContainer container = new MariaDBContainer("mariadb:10.11");
			container.withUsername("root").withPassword("");
			container.start();
			return new ServerDatabase.MariaDb(container.getJdbcUrl(), "root", "");
		}
		return new UnavailableDatabase("MariaDB", "set BACKFILL_TEST_MARIADB_URL (and _USERNAME, _PASSWORD) "
				+ "or provide a Docker engine for Testcontainers");
	}

	private static boolean dockerAvailable() {
		try {
			return DockerClientFactory.instance().isDockerAvailable();
		}
		catch (Throwable ex) {
			return false;
		}
	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null) ? value : fallback;
	}

	/** Whether a missing database must fail the build rather than skip its tests. */
	static boolean strict() {
		return "true".equalsIgnoreCase(System.getenv("CI"));
	}

	static String uniqueName() {
		return "bf_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
	}

	static JdbcTemplate adminJdbc(String url, String username, String password) {
		return new JdbcTemplate(new DriverManagerDataSource(url, username, password));
	}

	/** A database that cannot be had here: its tests skip, or fail under {@code CI=true}. */
	private record UnavailableDatabase(String name, String reason) implements TestDatabase {

		@Override
		public TestSchema createSchema() {
			String message = this.name + " is not available for tests: " + this.reason;
			if (strict()) {
				throw new AssertionError(message + " (CI=true, so this fails instead of skipping)");
			}
			Assumptions.abort(message);
			throw new IllegalStateException(message);
		}

		@Override
		public String toString() {
			return this.name;
		}

	}

	private static final class H2Database implements TestDatabase {

		@Override
		public String name() {
			return "H2";
		}

		@Override
		public TestSchema createSchema() {
			String url = "jdbc:h2:mem:" + uniqueName() + ";DB_CLOSE_DELAY=-1";
			return new TestSchema(name(), url, "sa", "", () -> adminJdbc(url, "sa", "").execute("SHUTDOWN"));
		}

		@Override
		public String toString() {
			return name();
		}

	}

	private static final class Lazy<T> {

		private final Supplier<T> supplier;

		private T value;

		Lazy(Supplier<T> supplier) {
			this.supplier = supplier;
		}

		synchronized T get() {
			if (this.value == null) {
				this.value = this.supplier.get();
			}
			return this.value;
		}

	}

}
