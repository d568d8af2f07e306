package dev.backfill.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;

import dev.backfill.MigrationListener;
import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.runner.MigrationResult;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Child-JVM main of the peak-heap measurement: builds a table of the given size in the
 * benchmark schema and runs variant 1 on it, reporting two figures.
 * <ul>
 * <li>{@code live}: the largest heap in use right after a full GC ({@code System.gc()}),
 * sampled after about every 5% of the batches and at the end: the memory the run keeps,
 * which is what would grow if the runner held on to rows or batches.</li>
 * <li>{@code poolPeak}: the sum of the heap pools' peak usage over the run
 * ({@code MemoryPoolMXBean#getPeakUsage}, reset before it), garbage included, which
 * depends mostly on how large the collector lets the young generation grow.</li>
 * </ul>
 * Arguments: JDBC URL, user, password, schema, rows, batch size.
 */
public final class HeapProbe {

	private HeapProbe() {
	}

	/**
	 * Runs the probe.
	 * @param args URL, user, password, schema, rows, batch size
	 */
	public static void main(String[] args) throws Exception {
		String url = args[0];
		String username = args[1];
		String password = args[2];
		String schema = args[3];
		int rows = Integer.parseInt(args[4]);
		int batchSize = Integer.parseInt(args[5]);
		String table = BenchTable.NAME + "_heap";
		try (BenchmarkDatabase db = BenchmarkDatabase.attach(url, username, password, schema)) {
			JdbcTemplate jdbc = db.jdbc();
			BenchTable.recreate(jdbc, table, rows);
			MigrationDatabase.of(db.dataSource(), StarterVariant.TRACKING_TABLE).store().createTableIfMissing();
			StarterVariant variant = new StarterVariant(false);
			variant.prepare(jdbc);
			int expectedBatches = rows / batchSize + 1;
			int sampleEvery = Math.max(1, expectedBatches / 20);
			long[] liveMax = { liveHeap() };
			MigrationListener sampler = new MigrationListener() {
				private int batches;

				@Override
				public void batchSucceeded(String migration, int batchRows, Duration duration) {
					if (++this.batches % sampleEvery == 0) {
						liveMax[0] = Math.max(liveMax[0], liveHeap());
					}
				}
			};
			for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
				pool.resetPeakUsage();
			}
			BatchRecorder batches = new BatchRecorder(null);
			long started = System.nanoTime();
			MigrationResult result = variant.run(new RunContext(db.dataSource(), table, rows, batchSize, batches),
					sampler);
			long nanos = System.nanoTime() - started;
			long poolPeak = 0;
			for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
				if (pool.getType() == MemoryType.HEAP) {
					poolPeak += pool.getPeakUsage().getUsed();
				}
			}
			long liveEnd = liveHeap();
			liveMax[0] = Math.max(liveMax[0], liveEnd);
			BenchTable.Verification verification = BenchTable.verify(jdbc, table, rows);
			jdbc.execute("DROP TABLE " + table);
			System.out.println("RESULT rows=" + rows + " outcome=" + result.outcome() + " verified="
					+ verification.ok() + " batches=" + batches.count() + " nanos=" + nanos + " live=" + liveMax[0]
					+ " liveEnd=" + liveEnd + " poolPeak=" + poolPeak + " maxHeap="
					+ Runtime.getRuntime().maxMemory());
		}
	}

	private static long liveHeap() {
		System.gc();
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

}
