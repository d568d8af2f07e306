package dev.backfill.testsupport;

/**
 * A database server (or embedded database) tests can create fresh, isolated schemas in.
 */
public interface TestDatabase {

	/**
	 * The database's name, as shown in test names.
	 * @return {@code H2}, {@code PostgreSQL} or {@code MariaDB}
	 */
	String name();

	/**
	 * Creates an empty schema (PostgreSQL schema, MariaDB database, H2 in-memory database)
	 * for one test. Close it to drop it.
	 * @return the schema
	 */
	TestSchema createSchema();

}
