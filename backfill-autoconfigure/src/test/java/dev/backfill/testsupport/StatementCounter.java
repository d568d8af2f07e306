package dev.backfill.testsupport;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

import javax.sql.DataSource;

/**
 * A DataSource that records the SQL of every statement prepared or created through it
 * and every commit, in order, so tests can count the statements of a batch.
 */
public final class StatementCounter {

	/** What {@link #events()} holds for a commit. */
	public static final String COMMIT = "COMMIT";

	private final List<String> events = Collections.synchronizedList(new ArrayList<>());

	private final DataSource dataSource;

	private volatile Consumer<String> whenPrepared = (sql) -> {
	};

	public StatementCounter(DataSource target) {
		this.dataSource = proxy(DataSource.class, target, (method, args, result) -> {
			if (method.getName().equals("getConnection")) {
				return connection((Connection) result);
			}
			return result;
		});
	}

	/** The counting DataSource. */
	public DataSource dataSource() {
		return this.dataSource;
	}

	/**
	 * Runs {@code hook} with the SQL of each statement prepared through this DataSource,
	 * once prepared and before it runs, and of each plain statement's SQL before it runs, on
	 * the thread that runs it: a test's way to act at an exact point of the code under test
	 * (between two of its statements).
	 * @param hook what to run
	 * @return this counter
	 */
	public StatementCounter whenPrepared(Consumer<String> hook) {
		this.whenPrepared = hook;
		return this;
	}

	/** The SQL of each statement and {@link #COMMIT} for each commit, in order. */
	public List<String> events() {
		synchronized (this.events) {
			return List.copyOf(this.events);
		}
	}

	private Connection connection(Connection target) {
		return proxy(Connection.class, target, (method, args, result) -> {
			String name = method.getName();
			if ((name.equals("prepareStatement") || name.equals("prepareCall")) && args != null) {
				this.events.add((String) args[0]);
				this.whenPrepared.accept((String) args[0]);
			}
			else if (name.equals("createStatement")) {
				this.events.add("<statement>");
				return statement((Statement) result);
			}
			else if (name.equals("commit")) {
				this.events.add(COMMIT);
			}
			return result;
		});
	}

	private Statement statement(Statement target) {
		return proxy(Statement.class, target, (method, args, result) -> result, (method, args) -> {
			if (method.getName().startsWith("execute") && args != null && args[0] instanceof String sql) {
				this.whenPrepared.accept(sql);
			}
		});
	}

	private interface Before {

		void accept(Method method, Object[] args) throws Exception;

	}

	private interface After {

		Object apply(Method method, Object[] args, Object result) throws Exception;

	}

	private static <T> T proxy(Class<T> type, T target, After after) {
		return proxy(type, target, after, (method, args) -> {
		});
	}

	@SuppressWarnings("unchecked")
	private static <T> T proxy(Class<T> type, T target, After after, Before before) {
		InvocationHandler handler = (proxy, method, args) -> {
			before.accept(method, args);
			Object result;
			try {
				result = method.invoke(target, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getCause();
			}
			return after.apply(method, args, result);
		};
		return (T) Proxy.newProxyInstance(StatementCounter.class.getClassLoader(), new Class<?>[] { type }, handler);
	}

}
