package dev.backfill.benchmarks;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The PostgreSQL the benchmark runs on: a server reached by URL, or an embedded one it
 * starts. All work happens in one schema of the benchmark's own, made the connections'
 * current schema, so tests running at the same time on the same server are not touched.
 */
final class BenchmarkDatabase implements AutoCloseable {

	private final EmbeddedPostgres embedded;

	private final String url;

	private final String username;

	private final String password;

	private final String schema;

	private final HikariDataSource pool;

	private BenchmarkDatabase(EmbeddedPostgres embedded, String url, String username, String password,
			String schema) {
		this.embedded = embedded;
		this.url = url;
		this.username = username;
		this.password = password;
		this.schema = schema;
		this.pool = pool(schemaUrl(), username, password);
	}

	/**
	 * Connects to the server of the options, or starts embedded PostgreSQL, and creates
	 * the schema afresh.
	 */
	static BenchmarkDatabase open(BenchmarkOptions options) throws IOException {
		EmbeddedPostgres embedded = null;
		String url = options.url();
		String username = options.username();
		String password = options.password();
		if (url == null) {
			embedded = EmbeddedPostgres.builder().start();
			url = embedded.getJdbcUrl("postgres", "postgres");
			username = "postgres";
			password = "";
		}
		recreateSchema(url, username, password, options.schema());
		return new BenchmarkDatabase(embedded, url, username, password, options.schema());
	}

	/** Connects to an existing schema (in a child JVM). */
	static BenchmarkDatabase attach(String url, String username, String password, String schema) {
		return new BenchmarkDatabase(null, url, username, password, schema);
	}

	private static void recreateSchema(String url, String username, String password, String schema) {
		try (HikariDataSource admin = pool(url, username, password)) {
			JdbcTemplate jdbc = new JdbcTemplate(admin);
			jdbc.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
			jdbc.execute("CREATE SCHEMA " + schema);
		}
	}

	static HikariDataSource pool(String url, String username, String password) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(url);
		config.setUsername(username);
		config.setPassword(password);
		// Enough for the parallel variants: 2 instances of 2 workers, or 4 workers, plus each
		// instance's coordinator and lease heartbeats.
		config.setMaximumPoolSize(12);
		config.setMinimumIdle(1);
		config.setPoolName("backfill-bench");
		return new HikariDataSource(config);
	}

	/** The pool, on the benchmark schema. */
	DataSource dataSource() {
		return this.pool;
	}

	JdbcTemplate jdbc() {
		return new JdbcTemplate(this.pool);
	}

	String url() {
		return this.url;
	}

	String username() {
		return this.username;
	}

	String password() {
		return this.password;
	}

	String schema() {
		return this.schema;
	}

	boolean embedded() {
		return this.embedded != null;
	}

	/** The JDBC URL with the benchmark schema as the current schema. */
	String schemaUrl() {
		return this.url + (this.url.contains("?") ? "&" : "?") + "currentSchema=" + this.schema;
	}

	/** The server's version and the settings that matter most for write throughput. */
	String describe() {
		JdbcTemplate jdbc = jdbc();
		String version = jdbc.queryForObject("SELECT version()", String.class);
		StringBuilder settings = new StringBuilder();
		for (String name : new String[] { "shared_buffers", "synchronous_commit", "fsync", "wal_level",
				"max_wal_size", "checkpoint_timeout" }) {
			String value = jdbc.queryForObject("SELECT current_setting(?)", String.class, name);
			settings.append((settings.length() > 0) ? ", " : "").append(name).append('=').append(value);
		}
		return (embedded() ? "embedded " : "server ") + version + " (" + settings + ")";
	}

	/** Asks for a checkpoint so WAL from the previous variant is not flushed during the next. */
	boolean checkpoint() {
		try (Connection connection = this.pool.getConnection(); Statement statement = connection.createStatement()) {
			statement.execute("CHECKPOINT");
			return true;
		}
		catch (SQLException ex) {
			// Needs superuser or pg_checkpoint; without it, runs go on without.
			return false;
		}
	}

	@Override
	public void close() throws IOException {
		this.pool.close();
		if (this.embedded != null) {
			this.embedded.close();
		}
	}

}
