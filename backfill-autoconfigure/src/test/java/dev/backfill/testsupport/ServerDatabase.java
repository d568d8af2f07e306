package dev.backfill.testsupport;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.jdbc.core.JdbcTemplate;

/** A PostgreSQL or MariaDB server reached by JDBC URL; each test gets its own schema. */
abstract class ServerDatabase implements TestDatabase {

	final String url;

	final String username;

	final String password;

	ServerDatabase(String url, String username, String password) {
		this.url = url;
		this.username = username;
		this.password = password;
	}

	JdbcTemplate admin() {
		return TestDatabases.adminJdbc(this.url, this.username, this.password);
	}

	@Override
	public String toString() {
		return name();
	}

	static final class Postgres extends ServerDatabase {

		Postgres(String url, String username, String password) {
			super(url, username, password);
		}

		@Override
		public String name() {
			return "PostgreSQL";
		}

		@Override
		public TestSchema createSchema() {
			String schema = TestDatabases.uniqueName();
			admin().execute("CREATE SCHEMA " + schema);
			String schemaUrl = this.url + (this.url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
			return new TestSchema(name(), schemaUrl, this.username, this.password,
					() -> admin().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE"));
		}

	}

	static final class MariaDb extends ServerDatabase {

		private static final Pattern URL = Pattern.compile("(jdbc:(?:mariadb|mysql)://[^/?]+)(?:/([^?]*))?(\\?.*)?");

		MariaDb(String url, String username, String password) {
			super(url, username, password);
		}

		@Override
		public String name() {
			return "MariaDB";
		}

		@Override
		public TestSchema createSchema() {
			String database = TestDatabases.uniqueName();
			admin().execute("CREATE DATABASE " + database);
			Matcher matcher = URL.matcher(this.url);
			if (!matcher.matches()) {
				throw new IllegalStateException("Cannot read the MariaDB JDBC URL " + this.url);
			}
			String query = (matcher.group(3) != null) ? matcher.group(3) : "";
			String databaseUrl = matcher.group(1) + "/" + database + query;
			return new TestSchema(name(), databaseUrl, this.username, this.password,
					() -> admin().execute("DROP DATABASE IF EXISTS " + database));
		}

	}

}
