package dev.backfill.benchmarks;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

/**
 * Wraps a DataSource in JDK proxies (DataSource, Connection, Statement) that report
 * every statement executed, with the number of statements of a JDBC batch, to a
 * {@link StatementLog}. Used only in the accounting pass, so the proxies' small cost
 * touches none of the timed rounds.
 */
final class CountingDataSource {

	private CountingDataSource() {
	}

	static DataSource wrap(DataSource target, StatementLog log) {
		return proxy(DataSource.class, (proxy, method, args) -> {
			Object result = call(target, method, args);
			if (result instanceof Connection connection && method.getName().equals("getConnection")) {
				return connection(connection, log);
			}
			return result;
		});
	}

	private static Connection connection(Connection target, StatementLog log) throws Exception {
		boolean[] autoCommit = { target.getAutoCommit() };
		Connection[] self = new Connection[1];
		self[0] = proxy(Connection.class, (proxy, method, args) -> {
			String name = method.getName();
			long started = System.nanoTime();
			Object result = call(target, method, args);
			switch (name) {
				case "setAutoCommit" -> autoCommit[0] = (Boolean) args[0];
				case "commit" -> log.committed(System.nanoTime() - started);
				case "createStatement" -> {
					return statement(Statement.class, (Statement) result, null, log, self[0], autoCommit);
				}
				case "prepareStatement" -> {
					return statement(PreparedStatement.class, (Statement) result, (String) args[0], log, self[0],
							autoCommit);
				}
				case "prepareCall" -> {
					return statement(CallableStatement.class, (Statement) result, (String) args[0], log, self[0],
							autoCommit);
				}
				default -> {
				}
			}
			return result;
		});
		return self[0];
	}

	private static <S extends Statement> S statement(Class<S> type, Statement target, String preparedSql,
			StatementLog log, Connection connection, boolean[] autoCommit) {
		List<String> pending = new ArrayList<>();
		return proxy(type, (proxy, method, args) -> {
			String name = method.getName();
			switch (name) {
				case "execute", "executeQuery", "executeUpdate", "executeLargeUpdate" -> {
					String sql = (args != null && args.length > 0 && args[0] instanceof String text) ? text
							: preparedSql;
					long started = System.nanoTime();
					Object result = call(target, method, args);
					log.executed(sql, 1, !autoCommit[0], System.nanoTime() - started);
					if (result instanceof Number changed && !name.equals("executeQuery")) {
						log.changed(sql, changed.longValue());
					}
					return result;
				}
				case "addBatch" -> pending.add((args != null && args.length == 1) ? (String) args[0] : preparedSql);
				case "clearBatch" -> pending.clear();
				case "executeBatch", "executeLargeBatch" -> {
					long started = System.nanoTime();
					Object result = call(target, method, args);
					long nanos = System.nanoTime() - started;
					for (int i = 0; i < pending.size(); i++) {
						// The batch's time goes to its first statement, once.
						log.executed(pending.get(i), 1, !autoCommit[0], (i == 0) ? nanos : 0);
					}
					pending.clear();
					return result;
				}
				case "getConnection" -> {
					return connection;
				}
				default -> {
				}
			}
			return call(target, method, args);
		});
	}

	@SuppressWarnings("unchecked")
	private static <T> T proxy(Class<T> type, java.lang.reflect.InvocationHandler handler) {
		return (T) Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(), new Class<?>[] { type },
				handler);
	}

	private static Object call(Object target, Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException ex) {
			throw ex.getCause();
		}
	}

}
