package dev.backfill.benchmarks;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Counts the SQL statements a {@link CountingDataSource} executed, split into the user's
 * own statements (those that read or write the benchmark table) and bookkeeping (all
 * others: checkpoints, leases, settings, job-repository rows), and counts commits.
 */
final class StatementLog {

	private final Predicate<String> userStatement;

	private final Map<String, LongAdder> bySql = new ConcurrentHashMap<>();

	private final Map<String, LongAdder> nanosBySql = new ConcurrentHashMap<>();

	private final Map<String, LongAdder> unchangedBySql = new ConcurrentHashMap<>();

	private final LongAdder commitNanos = new LongAdder();

	private final LongAdder user = new LongAdder();

	private final LongAdder bookkeeping = new LongAdder();

	private final LongAdder bookkeepingOutsideTransaction = new LongAdder();

	private final LongAdder commits = new LongAdder();

	/**
	 * Creates a log.
	 * @param userStatement tells the user's own statements from bookkeeping by SQL text
	 */
	StatementLog(Predicate<String> userStatement) {
		this.userStatement = userStatement;
	}

	void executed(String sql, int count, boolean inTransaction, long nanos) {
		if (count <= 0) {
			return;
		}
		String text = (sql != null) ? sql : "<unknown>";
		this.bySql.computeIfAbsent(text, (key) -> new LongAdder()).add(count);
		this.nanosBySql.computeIfAbsent(text, (key) -> new LongAdder()).add(nanos);
		if (this.userStatement.test(text)) {
			this.user.add(count);
		}
		else {
			this.bookkeeping.add(count);
			if (!inTransaction) {
				this.bookkeepingOutsideTransaction.add(count);
			}
		}
	}

	/** The row count of an update: one that changed none is counted by its SQL. */
	void changed(String sql, long rows) {
		if (rows == 0 && sql != null) {
			this.unchangedBySql.computeIfAbsent(sql, (key) -> new LongAdder()).increment();
		}
	}

	void committed(long nanos) {
		this.commits.increment();
		this.commitNanos.add(nanos);
	}

	long user() {
		return this.user.sum();
	}

	long bookkeeping() {
		return this.bookkeeping.sum();
	}

	long bookkeepingOutsideTransaction() {
		return this.bookkeepingOutsideTransaction.sum();
	}

	long commits() {
		return this.commits.sum();
	}

	/**
	 * Time spent waiting for statements, by SQL text, plus {@code COMMIT} for commits: the
	 * wall time of the JDBC calls (for a JDBC batch, of the one {@code executeBatch}).
	 */
	Map<String, Long> nanosBySql() {
		Map<String, Long> result = new TreeMap<>();
		this.nanosBySql.forEach((sql, nanos) -> result.put(sql, nanos.sum()));
		if (this.commits.sum() > 0) {
			result.put("COMMIT", this.commitNanos.sum());
		}
		return result;
	}

	/** Every statement by SQL text, with its count. */
	Map<String, Long> countsBySql() {
		Map<String, Long> result = new TreeMap<>();
		this.bySql.forEach((sql, count) -> result.put(sql, count.sum()));
		return result;
	}

	/** Updates that changed no row (a condition that no longer held), by SQL text. */
	Map<String, Long> unchangedBySql() {
		Map<String, Long> result = new TreeMap<>();
		this.unchangedBySql.forEach((sql, count) -> result.put(sql, count.sum()));
		return result;
	}

	boolean isUser(String sql) {
		return this.userStatement.test(sql);
	}

	/** Bookkeeping statements by SQL text, with their counts. */
	Map<String, Long> bookkeepingBySql() {
		Map<String, Long> result = new TreeMap<>();
		this.bySql.forEach((sql, count) -> {
			if (!this.userStatement.test(sql)) {
				result.put(sql, count.sum());
			}
		});
		return result;
	}

}
