package dev.backfill.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Bytes allocated by all live threads between two points, from
 * {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}: the sum over every
 * thread alive at the end of what it allocated since the start (threads that ended in
 * between are not seen; the runs here do their work on the calling thread).
 */
final class Allocations {

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private final Map<Long, Long> start;

	private Allocations(Map<Long, Long> start) {
		this.start = start;
	}

	static Allocations start() {
		return new Allocations(snapshot());
	}

	long bytesSinceStart() {
		long total = 0;
		for (Map.Entry<Long, Long> entry : snapshot().entrySet()) {
			total += entry.getValue() - this.start.getOrDefault(entry.getKey(), 0L);
		}
		return total;
	}

	private static Map<Long, Long> snapshot() {
		long[] ids = THREADS.getAllThreadIds();
		long[] bytes = THREADS.getThreadAllocatedBytes(ids);
		Map<Long, Long> result = new HashMap<>();
		for (int i = 0; i < ids.length; i++) {
			if (bytes[i] >= 0) {
				result.put(ids[i], bytes[i]);
			}
		}
		return result;
	}

}
