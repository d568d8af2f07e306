package dev.backfill.benchmarks;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import javax.sql.DataSource;

import dev.backfill.benchmarks.BenchmarkReport.Accounting;
import dev.backfill.benchmarks.BenchmarkReport.HeapRun;
import dev.backfill.benchmarks.BenchmarkReport.VariantRun;
import dev.backfill.internal.runner.MigrationDatabase;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Runs the benchmark: an untimed warm-up pass of every variant on a counting DataSource
 * (which is where statements are counted), then the timed rounds, each running every
 * variant once in order (1, 2, 3, ...) on a freshly rebuilt and vacuumed table and
 * verifying the result, then variant 1 in child JVMs for the peak heap, then the startup
 * app in child JVMs.
 */
public final class BenchmarkHarness {

	private final BenchmarkOptions options;

	private final PrintStream log;

	/**
	 * Creates a harness.
	 * @param options what to run
	 * @param log where progress goes
	 */
	public BenchmarkHarness(BenchmarkOptions options, PrintStream log) {
		this.options = options;
		this.log = log;
	}

	/** The variants the options select, in the order; one OFFSET loop per size. */
	static List<Variant> variants(BenchmarkOptions options) {
		List<Variant> variants = new ArrayList<>(List.of(new StarterVariant(false), new StarterVariant(true),
				new HandWrittenVariant(false), new HandWrittenVariant(true), new HandWrittenVariant(true, true),
				new SpringBatchVariant(),
				new SingleUpdateVariant()));
		for (int i = 0; i < options.offsetRows().size(); i++) {
			variants.add(new OffsetLoopVariant("7" + (char) ('a' + i), i));
		}
		variants.addAll(List.of(new SqlMigrationVariant(false), new SqlMigrationVariant(true)));
		variants.addAll(ParallelSqlMigrationVariant.all());
		variants.addAll(List.of(new AdaptiveVariant(true), new AdaptiveVariant(false), new CompositeKeyVariant()));
		variants.removeIf((variant) -> !options.runs(variant.id()));
		return variants;
	}

	/**
	 * Runs everything the options ask for.
	 * @return the results
	 * @throws Exception if the database cannot be reached or set up
	 */
	public BenchmarkReport run() throws Exception {
		long started = System.nanoTime();
		List<Variant> variants = variants(this.options);
		try (BenchmarkDatabase db = BenchmarkDatabase.open(this.options)) {
			JdbcTemplate jdbc = db.jdbc();
			MigrationDatabase.of(db.dataSource(), StarterVariant.TRACKING_TABLE).store().createTableIfMissing();
			SpringBatchVariant.createSchema(db.dataSource());
			String database = db.describe();
			boolean checkpoints = db.checkpoint();
			this.log.println("Database: " + database + (checkpoints ? "" : " (CHECKPOINT not permitted)"));

			Map<String, Accounting> accounting = new LinkedHashMap<>();
			for (Variant variant : variants) {
				int rows = Math.min(this.options.warmupRows(), variant.rows(this.options));
				Accounting result = account(db, variant, rows);
				accounting.put(variant.id(), result);
				this.log.printf("warm-up %-3s %,9d rows  %s  bookkeeping/batch %s%n", variant.id(), rows,
						result.verification().describe(), result.bookkeepingPerBatch());
			}

			List<VariantRun> runs = new ArrayList<>();
			for (int round = 1; round <= this.options.rounds(); round++) {
				for (Variant variant : variants) {
					VariantRun run = timed(db, variant, round, checkpoints);
					runs.add(run);
					this.log.printf("round %d %-3s %,9d rows %8.2f s %,10.0f rows/s %,8.0f B/row  load %.1f  %s%n",
							round, variant.id(), run.rows(), run.nanos() / 1e9, run.rowsPerSecond(), run.bytesPerRow(),
							run.load(), run.describe());
				}
			}

			List<HeapRun> heap = new ArrayList<>();
			for (int rows : this.options.heapRows()) {
				HeapRun run = heap(db, rows);
				heap.add(run);
				this.log.printf("heap %,d rows: live max %.1f MB, pool peak %.1f MB, %s%n", rows,
						run.liveMaxBytes() / 1e6, run.poolPeakBytes() / 1e6,
						(run.error() != null) ? run.error() : (run.verified() ? "OK" : "NOT VERIFIED"));
			}

			BenchmarkReport.Startup startup = (this.options.startupRuns() > 0) ? new StartupMeasurement(db,
					this.options.startupRuns(), this.log)
				.run() : null;

			return new BenchmarkReport(this.options, variants, database, checkpoints, accounting, runs, heap, startup,
					(System.nanoTime() - started) / 1_000_000_000.0);
		}
	}

	/** Statements that read or write the benchmark table are the user's; all others bookkeeping. */
	static Predicate<String> userStatement(String table) {
		// The runner's one-off "WHERE 1 = 0" probe of the base query reads no rows: metadata.
		// Its NULL-key checks (one before the first batch, one in the last) are bookkeeping.
		return (sql) -> sql.contains(table) && !sql.contains("WHERE 1 = 0") && !sql.contains("IS NULL LIMIT 1");
	}

	private Accounting account(BenchmarkDatabase db, Variant variant, int rows) {
		JdbcTemplate jdbc = db.jdbc();
		String table = BenchTable.NAME;
		BenchTable.recreate(jdbc, table, rows);
		variant.prepare(jdbc);
		StatementLog statements = new StatementLog(userStatement(table));
		DataSource counting = CountingDataSource.wrap(db.dataSource(), statements);
		BatchRecorder batches = new BatchRecorder(statements);
		String error = null;
		long started = System.nanoTime();
		try {
			variant.run(new RunContext(counting, table, rows, this.options.batchSize(), batches));
		}
		catch (Exception | AssertionError ex) {
			error = describe(ex);
		}
		long nanos = System.nanoTime() - started;
		return new Accounting(variant.id(), rows, batches.count(), batches.bookkeeping(), statements.user(),
				statements.bookkeeping(), statements.bookkeepingOutsideTransaction(), statements.commits(),
				statements.bookkeepingBySql(), statements.nanosBySql(), timeByKind(statements, nanos),
				BenchTable.verify(jdbc, table, rows), ChunkClaims.of(statements), error);
	}

	/** Where a run's time went: waiting for the user's reads and writes, bookkeeping, commits, and the rest. */
	private static Map<String, Long> timeByKind(StatementLog statements, long totalNanos) {
		Map<String, Long> kinds = new LinkedHashMap<>();
		for (String kind : List.of("read", "write", "bookkeeping", "commit")) {
			kinds.put(kind, 0L);
		}
		long accounted = 0;
		for (Map.Entry<String, Long> entry : statements.nanosBySql().entrySet()) {
			String sql = entry.getKey();
			String kind = sql.equals("COMMIT") ? "commit"
					: !statements.isUser(sql) ? "bookkeeping"
							: sql.stripLeading().regionMatches(true, 0, "SELECT", 0, 6) ? "read" : "write";
			kinds.merge(kind, entry.getValue(), Long::sum);
			accounted += entry.getValue();
		}
		kinds.put("rest", totalNanos - accounted);
		kinds.put("total", totalNanos);
		return kinds;
	}

	private VariantRun timed(BenchmarkDatabase db, Variant variant, int round, boolean checkpoints) {
		JdbcTemplate jdbc = db.jdbc();
		String table = BenchTable.NAME;
		int rows = variant.rows(this.options);
		BenchTable.recreate(jdbc, table, rows);
		variant.prepare(jdbc);
		if (checkpoints) {
			db.checkpoint();
		}
		System.gc();
		double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
		BatchRecorder batches = new BatchRecorder(null);
		RunContext context = new RunContext(db.dataSource(), table, rows, this.options.batchSize(), batches);
		String error = null;
		Allocations allocations = Allocations.start();
		long started = System.nanoTime();
		try {
			variant.run(context);
		}
		catch (Exception | AssertionError ex) {
			error = describe(ex);
		}
		long nanos = System.nanoTime() - started;
		long allocated = allocations.bytesSinceStart();
		return new VariantRun(variant.id(), round, rows, nanos, allocated, batches.nanos(),
				BenchTable.verify(jdbc, table, rows), error, load);
	}

	private HeapRun heap(BenchmarkDatabase db, int rows) {
		try {
			Map<String, String> result = ChildJvm.run(HeapProbe.class, List.of("-Xmx1g"),
					List.of(db.url(), db.username(), db.password(), db.schema(), Integer.toString(rows),
							Integer.toString(this.options.batchSize())),
					false);
			return new HeapRun(rows, Long.parseLong(result.get("live")), Long.parseLong(result.get("liveEnd")),
					Long.parseLong(result.get("poolPeak")), Long.parseLong(result.get("nanos")),
					Boolean.parseBoolean(result.get("verified")) && "COMPLETED".equals(result.get("outcome")),
					null);
		}
		catch (Exception ex) {
			return new HeapRun(rows, 0, 0, 0, 0, false, describe(ex));
		}
	}

	static String describe(Throwable failure) {
		Throwable root = failure;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = failure.getClass().getSimpleName() + ": " + failure.getMessage();
		return (root == failure) ? message : message + " (caused by " + root.getClass().getSimpleName() + ": "
				+ root.getMessage() + ")";
	}

}
