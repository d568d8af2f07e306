package dev.backfill.testsupport;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * An empty schema of a test database: connection details for an application under test,
 * and a DataSource for the test's own setup and assertions. Closing it drops the schema.
 */
public final class TestSchema implements AutoCloseable {

	private final String databaseName;

	private final String url;

	private final String username;

	private final String password;

	private final Runnable drop;

	private HikariDataSource dataSource;

	TestSchema(String databaseName, String url, String username, String password, Runnable drop) {
		this.databaseName = databaseName;
		this.url = url;
		this.username = username;
		this.password = password;
		this.drop = drop;
	}

	public String databaseName() {
		return this.databaseName;
	}

	public String url() {
		return this.url;
	}

	public String username() {
		return this.username;
	}

	public String password() {
		return this.password;
	}

	/** Spring properties that point an application's DataSource at this schema. */
	public Map<String, String> springProperties() {
		Map<String, String> properties = new LinkedHashMap<>();
		properties.put("spring.datasource.url", this.url);
		properties.put("spring.datasource.username", this.username);
		properties.put("spring.datasource.password", (this.password != null) ? this.password : "");
		return properties;
	}

	/** The same as {@link #springProperties()}, as {@code key=value} strings. */
	public String[] springPropertyPairs() {
		return springProperties().entrySet().stream().map((e) -> e.getKey() + "=" + e.getValue()).toArray(String[]::new);
	}

	/** A pooled DataSource on this schema for the test itself. */
	public synchronized DataSource dataSource() {
		if (this.dataSource == null) {
			this.dataSource = newDataSource(4);
		}
		return this.dataSource;
	}

	/**
	 * A new pooled DataSource on this schema, which the caller closes.
	 * @param poolSize the pool's size
	 * @return the DataSource
	 */
	public HikariDataSource newDataSource(int poolSize) {
		HikariConfig config = new HikariConfig();
		config.setJdbcUrl(this.url);
		config.setUsername(this.username);
		config.setPassword(this.password);
		config.setMaximumPoolSize(poolSize);
		config.setDataSourceProperties(new Properties());
		return new HikariDataSource(config);
	}

	/**
	 * The same schema reached through another URL (e.g. with other connection settings);
	 * closing the view does not drop the schema.
	 * @param otherUrl the URL
	 * @return the view
	 */
	public TestSchema withUrl(String otherUrl) {
		return new TestSchema(this.databaseName, otherUrl, this.username, this.password, () -> {
		});
	}

	public JdbcTemplate jdbc() {
		return new JdbcTemplate(dataSource());
	}

	@Override
	public synchronized void close() {
		if (this.dataSource != null) {
			this.dataSource.close();
			this.dataSource = null;
		}
		this.drop.run();
	}

	@Override
	public String toString() {
		return this.databaseName;
	}

}
