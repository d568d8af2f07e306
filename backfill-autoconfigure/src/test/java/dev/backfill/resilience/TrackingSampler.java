package dev.backfill.resilience;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.springframework.dao.EmptyResultDataAccessException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads the fixture migration's tracking row every few milliseconds on a thread of its
 * own and records every time its checkpoint ({@code batches}, {@code rows_processed},
 * {@code last_key}) moved backwards or a COMPLETED row changed status.
 */
final class TrackingSampler implements AutoCloseable {

	private final FixtureDatabase database;

	private final Thread thread;

	private final List<String> regressions = new ArrayList<>();

	private final AtomicReference<Map<String, Object>> latest = new AtomicReference<>();

	private volatile boolean running = true;

	private int samples;

	private TrackingSampler(FixtureDatabase database) {
		this.database = database;
		this.thread = new Thread(this::sample, "tracking-sampler");
		this.thread.setDaemon(true);
	}

	static TrackingSampler start(FixtureDatabase database) {
		TrackingSampler sampler = new TrackingSampler(database);
		sampler.thread.start();
		return sampler;
	}

	private void sample() {
		Map<String, Object> previous = null;
		boolean tableExists = false;
		while (this.running) {
			try {
				// Until an application created the table, reading it would only log errors.
				tableExists = tableExists || this.database.trackingTableExists();
				if (tableExists) {
					Map<String, Object> row = this.database.tracking();
					this.latest.set(row);
					synchronized (this) {
						this.samples++;
						if (previous != null) {
							check(previous, row);
						}
					}
					previous = row;
				}
			}
			catch (EmptyResultDataAccessException ex) {
				// The row is not there yet.
			}
			catch (RuntimeException ex) {
				// A sample lost to a busy pool or a closing test; the next one follows.
			}
			pause();
		}
	}

	private static void pause() {
		try {
			Thread.sleep(5);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	private void check(Map<String, Object> before, Map<String, Object> after) {
		for (String column : List.of("batches", "rows_processed", "last_key")) {
			if (number(after.get(column)) < number(before.get(column))) {
				this.regressions.add(column + " moved back from " + before + " to " + after);
			}
		}
		if ("COMPLETED".equals(before.get("status")) && !"COMPLETED".equals(after.get("status"))) {
			this.regressions.add("status left COMPLETED: " + before + " to " + after);
		}
	}

	private static long number(Object value) {
		return (value != null) ? Long.parseLong(value.toString()) : 0;
	}

	/** The last sample, or {@code null} before the first. */
	Map<String, Object> latest() {
		return this.latest.get();
	}

	/** The last sample's committed batches, 0 before the first. */
	long batches() {
		Map<String, Object> row = latest();
		return (row != null) ? number(row.get("batches")) : 0;
	}

	/** The last sample's lease owner. */
	Object leaseOwner() {
		Map<String, Object> row = latest();
		return (row != null) ? row.get("lease_owner") : null;
	}

	/** Asserts that the checkpoint never moved backwards and returns how many samples were taken. */
	synchronized int assertCheckpointNeverMovedBackwards() {
		assertThat(this.regressions).as("checkpoint regressions").isEmpty();
		assertThat(this.samples).as("tracking row samples").isPositive();
		return this.samples;
	}

	@Override
	public void close() {
		this.running = false;
		try {
			this.thread.join(5000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
