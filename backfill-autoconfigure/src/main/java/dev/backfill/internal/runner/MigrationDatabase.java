package dev.backfill.internal.runner;

import java.sql.DatabaseMetaData;

import javax.sql.DataSource;

import dev.backfill.internal.store.ChunkStore;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.internal.store.SqlDialect;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the runner needs of one DataSource: JDBC operations, a transaction template of its
 * own (so no particular transaction manager is required of the application; code in
 * {@code migrate} that uses the same DataSource through Spring's {@code DataSourceUtils},
 * as {@code JdbcTemplate} and {@code JdbcClient} do, joins the batch's transaction) and
 * the tracking table.
 *
 * @since 0.1.0
 */
public final class MigrationDatabase {

	private final DataSource dataSource;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final MigrationStore store;

	private final ChunkStore chunks;

	/**
	 * Creates the runner's view of a DataSource, choosing the dialect from its JDBC product
	 * name.
	 * @param dataSource the DataSource
	 * @param table the tracking table's name
	 * @return the database
	 */
	public static MigrationDatabase of(DataSource dataSource, String table) {
		return new MigrationDatabase(dataSource, new MigrationStore(dataSource, dialectOf(dataSource), table));
	}

	/**
	 * Creates the runner's view of a DataSource with a given store.
	 * @param dataSource the DataSource
	 * @param store its tracking table
	 */
	public MigrationDatabase(DataSource dataSource, MigrationStore store) {
		this.dataSource = dataSource;
		this.jdbc = new JdbcTemplate(dataSource);
		this.transactions = new TransactionTemplate(new JdbcTransactionManager(dataSource));
		this.store = store;
		this.chunks = new ChunkStore(dataSource, store.dialect(), store.table());
	}

	/**
	 * The dialect of a DataSource, from its JDBC product name.
	 * @param dataSource the DataSource
	 * @return its dialect
	 */
	public static SqlDialect dialectOf(DataSource dataSource) {
		try {
			return SqlDialect.forProductName(
					JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName));
		}
		catch (MetaDataAccessException ex) {
			throw new IllegalStateException("Cannot tell which database the DataSource is: " + ex.getMessage(), ex);
		}
	}

	/**
	 * The DataSource.
	 * @return the DataSource
	 */
	public DataSource dataSource() {
		return this.dataSource;
	}

	JdbcTemplate jdbc() {
		return this.jdbc;
	}

	TransactionTemplate transactions() {
		return this.transactions;
	}

	/**
	 * The chunk table, named after the tracking table.
	 * @return the chunk store
	 */
	public ChunkStore chunks() {
		return this.chunks;
	}

	/**
	 * The tracking table.
	 * @return the store
	 */
	public MigrationStore store() {
		return this.store;
	}

}
