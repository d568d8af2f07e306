package dev.backfill.testsupport;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import dev.backfill.DataMigration;
import dev.backfill.DataMigrationConfig;

/**
 * A migration that records every row passed to it (by key) and every batch's size, and
 * can be told to fail a given batch.
 */
public class RecordingMigration implements DataMigration {

	private final String baseQuery;

	private final DataMigrationConfig config;

	private final List<String> keyColumns;

	private final Map<String, AtomicInteger> callsPerKey = new ConcurrentHashMap<>();

	private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());

	private volatile int failAtBatch = -1;

	private volatile Consumer<List<Map<String, Object>>> action = (rows) -> {
	};

	public RecordingMigration(String baseQuery) {
		this(baseQuery, DataMigrationConfig.DEFAULTS);
	}

	public RecordingMigration(String baseQuery, DataMigrationConfig config) {
		this.baseQuery = baseQuery;
		this.config = config;
		this.keyColumns = (config.keyColumns() != null) ? config.keyColumns() : List.of("id");
	}

	/** Fails the n-th call to {@code migrate} (1-based) with an IllegalStateException. */
	public RecordingMigration failAtBatch(int batch) {
		this.failAtBatch = batch;
		return this;
	}

	/** Runs an action on every batch after recording it (e.g. writes through JdbcTemplate). */
	public RecordingMigration onBatch(Consumer<List<Map<String, Object>>> action) {
		this.action = action;
		return this;
	}

	@Override
	public String baseQuery() {
		return this.baseQuery;
	}

	@Override
	public DataMigrationConfig config() {
		return this.config;
	}

	@Override
	public void migrate(List<Map<String, Object>> rows) {
		List<String> keys = new ArrayList<>();
		for (Map<String, Object> row : rows) {
			String key = keyOf(row);
			keys.add(key);
			this.callsPerKey.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet();
		}
		this.batches.add(keys);
		if (this.batches.size() == this.failAtBatch) {
			throw new IllegalStateException("boom in batch " + this.failAtBatch);
		}
		this.action.accept(rows);
	}

	/** A row's key as recorded: its value, or a composite key's values joined by {@code :}. */
	private String keyOf(Map<String, Object> row) {
		List<String> parts = new ArrayList<>();
		for (String column : this.keyColumns) {
			parts.add(String.valueOf(row.get(column)));
		}
		return String.join(":", parts);
	}

	/** How often each key was passed to {@code migrate}. */
	public Map<String, Integer> callsPerKey() {
		Map<String, Integer> calls = new ConcurrentHashMap<>();
		this.callsPerKey.forEach((key, count) -> calls.put(key, count.get()));
		return calls;
	}

	/** The keys of every batch passed to {@code migrate}, in order. */
	public List<List<String>> batches() {
		synchronized (this.batches) {
			return List.copyOf(this.batches);
		}
	}

}
