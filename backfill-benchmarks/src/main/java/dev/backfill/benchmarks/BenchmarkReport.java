package dev.backfill.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** The results of one benchmark run, as Markdown, with the targets checked. */
public final class BenchmarkReport {

	private static final String SINGLE_UPDATE = "6";

	private final BenchmarkOptions options;

	private final List<Variant> variants;

	private final String database;

	private final boolean checkpoints;

	private final Map<String, Accounting> accounting;

	private final List<VariantRun> runs;

	private final List<HeapRun> heap;

	private final Startup startup;

	private final double seconds;

	private final ZonedDateTime date = ZonedDateTime.now();

	BenchmarkReport(BenchmarkOptions options, List<Variant> variants, String database, boolean checkpoints,
			Map<String, Accounting> accounting, List<VariantRun> runs, List<HeapRun> heap, Startup startup,
			double seconds) {
		this.options = options;
		this.variants = variants;
		this.database = database;
		this.checkpoints = checkpoints;
		this.accounting = accounting;
		this.runs = runs;
		this.heap = heap;
		this.startup = startup;
		this.seconds = seconds;
	}

	/**
	 * What failed: unverified or failed runs, heap probes and startup measurements.
	 * @return one line per failure; empty when every variant was verified
	 */
	public List<String> failures() {
		List<String> failures = new ArrayList<>();
		this.accounting.values()
			.stream()
			.filter((run) -> !run.ok())
			.forEach((run) -> failures.add("warm-up of variant " + run.id() + ": " + run.describe()));
		this.runs.stream()
			.filter((run) -> !run.ok())
			.forEach((run) -> failures.add("variant " + run.id() + " round " + run.round() + ": " + run.describe()));
		this.heap.stream()
			.filter((run) -> !run.verified())
			.forEach((run) -> failures.add("heap run at " + run.rows() + " rows: "
					+ ((run.error() != null) ? run.error() : "not verified")));
		if (this.startup != null && this.startup.error() != null) {
			failures.add("startup measurement: " + this.startup.error());
		}
		return failures;
	}

	/**
	 * The runs of the timed rounds.
	 * @return every run
	 */
	public List<VariantRun> runs() {
		return this.runs;
	}

	/**
	 * The median rows per second of a variant over the rounds.
	 * @param id the variant's id
	 * @return the median, or NaN if it did not run
	 */
	public double medianRate(String id) {
		return Stats.median(runsOf(id).stream().map(VariantRun::rowsPerSecond).toList());
	}

	private List<VariantRun> runsOf(String id) {
		return this.runs.stream().filter((run) -> run.id().equals(id)).toList();
	}

	/**
	 * Writes the report to a file.
	 * @param file the file
	 */
	public void write(Path file) throws java.io.IOException {
		Path parent = file.toAbsolutePath().getParent();
		if (parent != null) {
			Files.createDirectories(parent);
		}
		Files.writeString(file, toMarkdown());
	}

	/**
	 * The report.
	 * @return Markdown
	 */
	public String toMarkdown() {
		StringBuilder md = new StringBuilder();
		md.append("## Run of ").append(this.date.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z"))).append("\n\n");
		environment(md);
		throughput(md);
		perRound(md);
		bookkeeping(md);
		batchTimes(md);
		heap(md);
		startup(md);
		targets(md);
		adaptive(md);
		diagnostics(md);
		List<String> failures = failures();
		md.append("\n**Verification:** ")
			.append(failures.isEmpty() ? "every run of every variant left no row unmigrated and every value right."
					: "FAILED:\n\n" + failures.stream().map((line) -> "- " + line).collect(Collectors.joining("\n")))
			.append("\n");
		return md.toString();
	}

	private void environment(StringBuilder md) {
		com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
			.getOperatingSystemMXBean();
		md.append("- Command: `").append(this.options.command()).append("`\n");
		md.append(String.format(Locale.ROOT, "- Machine: %d cores, %.1f GiB memory, %s, %s %s%n",
				Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize() / (1024.0 * 1024 * 1024),
				cpuModel(), System.getProperty("os.name"), System.getProperty("os.version")));
		md.append("- JVM: ")
			.append(System.getProperty("java.vm.name"))
			.append(' ')
			.append(System.getProperty("java.runtime.version"))
			.append(", max heap ")
			.append(Runtime.getRuntime().maxMemory() / (1024 * 1024))
			.append(" MiB\n");
		md.append("- Database: ").append(this.database).append('\n');
		md.append(String.format(Locale.ROOT,
				"- Sizes: %,d rows for variants 1–6, the OFFSET loop at %s rows; batch (chunk) size %d; "
						+ "%d timed round(s) after an untimed warm-up pass at up to %,d rows; CHECKPOINT before "
						+ "each timed run: %s; whole run %.1f min%n",
				this.options.rows(),
				this.options.offsetRows().stream().map((n) -> String.format(Locale.ROOT, "%,d", n))
					.collect(Collectors.joining(" and ")),
				this.options.batchSize(), this.options.rounds(), this.options.warmupRows(),
				this.checkpoints ? "yes" : "no (not permitted)", this.seconds / 60));
	}

	private static String cpuModel() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
				if (line.startsWith("model name")) {
					return line.substring(line.indexOf(':') + 1).strip();
				}
			}
		}
		catch (Exception ex) {
			// Not Linux.
		}
		return System.getProperty("os.arch");
	}

	private void throughput(StringBuilder md) {
		md.append("\n### Throughput (median over the rounds)\n\n");
		md.append("| # | Variant | Rows | Median rows/s | × hand-written twin | × single UPDATE (6) "
				+ "| Median batch (ms) | Bookkeeping statements / batch | Commits / batch | Allocated bytes / row "
				+ "| Verified |\n");
		md.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|\n");
		double floor = medianRate(SINGLE_UPDATE);
		for (Variant variant : this.variants) {
			String id = variant.id();
			List<VariantRun> runs = runsOf(id);
			double rate = medianRate(id);
			Accounting accounted = this.accounting.get(id);
			String twin = (variant.twin() != null && !Double.isNaN(medianRate(variant.twin())))
					? ratio(rate / medianRate(variant.twin())) + " (vs " + variant.twin() + ")" : "—";
			long ok = runs.stream().filter(VariantRun::ok).count();
			md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %s | %s | %s | %s | %s | %s | %s | %s |%n", id,
					variant.title(), variant.rows(this.options), number(rate), twin,
					Double.isNaN(floor) ? "—" : ratio(rate / floor),
					String.format(Locale.ROOT, "%.2f", medianBatchMillis(id)),
					(accounted != null) ? accounted.bookkeepingPerBatch() : "—",
					(accounted != null && accounted.batches() > 0)
							? String.format(Locale.ROOT, "%.2f", (double) accounted.commits() / accounted.batches())
							: "—",
					number(Stats.median(runs.stream().map(VariantRun::bytesPerRow).toList())),
					(ok == runs.size() && (accounted == null || accounted.ok()) ? "OK" : "FAILED") + " (" + ok + "/"
							+ runs.size() + " rounds" + ((accounted != null) ? ", warm-up " + (accounted.ok() ? "OK" : "FAILED") : "")
							+ ")"));
		}
		md.append("\nMedian batch = median over the rounds of each run's median batch duration (select, write and "
				+ "commit; for the starter as its MigrationListener reports it). Commits / batch and bookkeeping are "
				+ "counted in the warm-up pass; batches include the final short one (the hand-written loops and "
				+ "Spring Batch also read a final empty one); the starter's two NULL-key checks per run count as "
				+ "bookkeeping. Variant 6 is one "
				+ "autocommitted statement, so its \"batch\" is the whole table. On PostgreSQL a SqlMigration's "
				+ "batch (variants 8 to 10f, and each chunk's batch in 9a to 9c) is one statement that reads the "
				+ "batch's keys, updates and saves the checkpoint, and its commit: that statement reads and writes "
				+ "the benchmark table, so it counts as the user's, and the checkpoint costs no statement of its "
				+ "own.\n");
	}

	private void perRound(StringBuilder md) {
		md.append("\n### Rows/s of every round\n\nWith the machine's 1-minute load average just before each run "
				+ "(2 cores: above 2, other processes were competing for the CPU).\n\n| # |");
		for (int round = 1; round <= this.options.rounds(); round++) {
			md.append(" round ").append(round).append(" |");
		}
		md.append("\n|---|").append("--:|".repeat(this.options.rounds())).append('\n');
		for (Variant variant : this.variants) {
			md.append("| ").append(variant.id()).append(" |");
			for (VariantRun run : runsOf(variant.id())) {
				md.append(' ').append(number(run.rowsPerSecond())).append(run.ok() ? "" : " (failed)")
					.append(String.format(Locale.ROOT, " (load %.1f)", run.load())).append(" |");
			}
			md.append('\n');
		}
	}

	private void bookkeeping(StringBuilder md) {
		md.append("\n### Statements (counted by a JDBC proxy around the DataSource in the warm-up pass)\n\n");
		md.append("A statement is the user's when it reads or writes the benchmark table; every other one is "
				+ "bookkeeping (checkpoint, lease, settings, metadata, job repository). Per-batch counts are the "
				+ "statements between the end of one batch and the end of the next; the first batch's count "
				+ "includes what the run did before it.\n\n");
		md.append("| # | Rows | Batches | User statements | Bookkeeping total | Bookkeeping / batch (median) "
				+ "| Max in one batch | Bookkeeping outside a transaction | Commits |\n");
		md.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
		for (Accounting run : this.accounting.values()) {
			md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %s | %d | %,d | %,d |%n", run.id(),
					run.rows(), run.batches(), run.user(), run.bookkeeping(), run.bookkeepingPerBatch(),
					run.bookkeepingPerBatchList().stream().mapToLong(Long::longValue).max().orElse(0),
					run.bookkeepingOutsideTransaction(), run.commits()));
		}
		md.append("\nWhere a batch's time goes in the warm-up pass (ms per batch, wall time of the JDBC calls; "
				+ "rest = everything outside them: Java code, the pool, the proxies):\n\n");
		md.append("| # | Read | Write | Bookkeeping | Commit | Rest | Total |\n|---|--:|--:|--:|--:|--:|--:|\n");
		for (Accounting run : this.accounting.values()) {
			md.append("| ").append(run.id()).append(" |");
			for (String kind : List.of("read", "write", "bookkeeping", "commit", "rest", "total")) {
				md.append(String.format(Locale.ROOT, " %.3f |",
						run.nanosByKind().getOrDefault(kind, 0L) / 1e6 / Math.max(1, run.batches())));
			}
			md.append('\n');
		}
		chunkClaims(md);
		for (Accounting run : this.accounting.values()) {
			if (run.bookkeepingBySql().isEmpty()) {
				continue;
			}
			md.append("\nBookkeeping statements of variant ").append(run.id())
				.append(" (count, mean wait per statement: SQL):\n\n");
			run.bookkeepingBySql()
				.entrySet()
				.stream()
				.sorted(Map.Entry.<String, Long>comparingByValue().reversed())
				.forEach((entry) -> md.append(String.format(Locale.ROOT, "- %,d, %.3f ms: `%s`%n", entry.getValue(),
						run.nanosBySql().getOrDefault(entry.getKey(), 0L) / 1e6 / entry.getValue(),
						abbreviate(entry.getKey()))));
		}
	}

	/** The warm-up pass's statement counts by variant id. */
	Map<String, Accounting> accounting() {
		return this.accounting;
	}

	private void chunkClaims(StringBuilder md) {
		List<Accounting> parallel = this.accounting.values().stream().filter((run) -> run.claims() != null).toList();
		if (parallel.isEmpty()) {
			return;
		}
		md.append("\nChunk claims of the runs in parallel chunks (warm-up pass). A claim is a read of the migration's "
				+ "status, a `SELECT … FOR UPDATE SKIP LOCKED` of a free chunk, the conditioned `UPDATE` taking it and "
				+ "a read of the chunk, and its commit (not counted here). An empty claim found no chunk left and "
				+ "ended its worker; a lost claim is an `UPDATE` that changed no row, the chunk taken by another "
				+ "worker first (contention). Completion wait: the mean wait of the `UPDATE` adding a completed "
				+ "chunk's counts to the tracking row, on which workers completing at once queue, beside that of a "
				+ "chunk's checkpoint `UPDATE` (— where the checkpoint is no statement of its own: on PostgreSQL a "
				+ "SqlMigration's chunk checkpoint is part of its batch's one statement).\n\n");
		md.append("| # | Chunks claimed | Empty claims | Lost claims | Bookkeeping statements / claim "
				+ "| Wait / claim (ms) | Completion wait (ms) | Checkpoint wait (ms) |\n");
		md.append("|---|--:|--:|--:|--:|--:|--:|--:|\n");
		for (Accounting run : parallel) {
			ChunkClaims claims = run.claims();
			md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %.1f | %.3f | %s | %s |%n", run.id(),
					claims.claims(), claims.emptyClaims(), claims.lostClaims(), claims.statementsPerClaim(),
					claims.millisPerClaim(), meanMillis(claims.completionNanos()), meanMillis(claims.checkpointNanos())));
		}
	}

	/** A mean wait in milliseconds, or a dash where no such statement ran. */
	private static String meanMillis(double nanos) {
		return Double.isNaN(nanos) ? "—" : String.format(Locale.ROOT, "%.3f", nanos / 1e6);
	}

	private void batchTimes(StringBuilder md) {
		md.append("\n### Batch times, first vs last 10% of batches (medians)\n\n");
		md.append("| # | Round | Batches | First 10% (ms) | Last 10% (ms) | Last / first |\n|---|--:|--:|--:|--:|--:|\n");
		for (Variant variant : this.variants) {
			if (!variant.id().equals("1") && !variant.id().startsWith("7")) {
				continue;
			}
			for (VariantRun run : runsOf(variant.id())) {
				md.append(String.format(Locale.ROOT, "| %s | %d | %,d | %.2f | %.2f | %s |%n", run.id(), run.round(),
						run.batchNanos().size(), run.firstTenthMillis(), run.lastTenthMillis(),
						ratio(run.lastTenthMillis() / run.firstTenthMillis())));
			}
		}
	}

	private void heap(StringBuilder md) {
		if (this.heap.isEmpty()) {
			return;
		}
		md.append("\n### Peak heap of variant 1 (child JVM, -Xmx1g, default collector)\n\n");
		md.append("Live heap = heap in use right after `System.gc()`, sampled after about every 5% of the batches "
				+ "and at the end, maximum taken: what the run retains. Pool peak = sum of the heap memory pools' "
				+ "`getPeakUsage()` over the run (reset before it), garbage included: mostly the young generation "
				+ "the collector chose.\n\n");
		md.append("| Rows | Live heap, max (MB) | Live heap at end (MB) | Heap pools' peak (MB) | Run time (s) | Verified |\n");
		md.append("|--:|--:|--:|--:|--:|---|\n");
		for (HeapRun run : this.heap) {
			md.append(String.format(Locale.ROOT, "| %,d | %.1f | %.1f | %.1f | %.1f | %s |%n", run.rows(),
					run.liveMaxBytes() / 1e6, run.liveEndBytes() / 1e6, run.poolPeakBytes() / 1e6, run.nanos() / 1e9,
					(run.error() != null) ? "FAILED: " + run.error() : (run.verified() ? "OK" : "FAILED")));
		}
	}

	private void startup(StringBuilder md) {
		if (this.startup == null) {
			return;
		}
		md.append("\n### Startup time of a minimal Boot app (JVM uptime when `SpringApplication.run` returns; "
				+ "new JVM per start)\n\n");
		md.append("| App | Median (ms) | Starts (ms) |\n|---|--:|---|\n");
		Map<String, String> titles = new LinkedHashMap<>();
		titles.put("with", "with the starter, its one migration already COMPLETED");
		titles.put("without", "without backfill-autoconfigure on the class path");
		titles.put("without-db", "without, but running one query at startup");
		for (Map.Entry<String, List<Long>> entry : this.startup.millis().entrySet()) {
			md.append(String.format(Locale.ROOT, "| %s | %.0f | %s |%n", titles.get(entry.getKey()),
					Stats.median(entry.getValue()),
					entry.getValue().stream().map(String::valueOf).collect(Collectors.joining(", "))));
		}
		if (this.startup.error() != null) {
			md.append("\nStartup measurement FAILED: ").append(this.startup.error()).append('\n');
		}
	}

	private void targets(StringBuilder md) {
		md.append("\n### Targets\n\n| Target | Measured | Met |\n|---|---|---|\n");
		double v1 = medianRate("1");
		double v2 = medianRate("2");
		double v3 = medianRate("3");
		double v4 = medianRate("4");
		double v5 = medianRate("5");
		double v6 = medianRate("6");
		target(md, "variant 1 ≥ 0.95× variant 3", ratio(v1 / v3), v1 / v3 >= 0.95);
		target(md, "variant 2 ≥ 0.95× variant 4", ratio(v2 / v4), v2 / v4 >= 0.95);
		target(md, "variant 2 ≥ 2× variant 5", ratio(v2 / v5), v2 / v5 >= 2);
		target(md, "variant 2 within 1.5× of variant 6", "variant 6 is " + ratio(v6 / v2) + " variant 2",
				v6 / v2 <= 1.5);
		double v8 = medianRate("8");
		if (!Double.isNaN(v8)) {
			target(md, "variant 8 (SqlMigration, one thread) ≥ 1.0× variant 4", ratio(v8 / v4), v8 / v4 >= 1.0);
		}
		String bestParallel = (medianRate("9b") > medianRate("9a")) ? "9b" : "9a";
		double parallel = medianRate(bestParallel);
		if (!Double.isNaN(parallel)) {
			target(md, "parallel SqlMigration (best of 9a and 9b) ≥ 1.0× variant 6 (the single UPDATE)",
					ratio(parallel / v6) + " (" + bestParallel + ")", parallel / v6 >= 1.0);
			double batch = medianBatchMillis(bestParallel);
			target(md, "variant " + bestParallel + ": median batch ≤ 50 ms", String.format(Locale.ROOT, "%.2f ms", batch),
					batch <= 50);
		}
		double adaptiveBatch = medianBatchMillis("10");
		if (!Double.isNaN(adaptiveBatch)) {
			double off = adaptiveBatch / AdaptiveVariant.TARGET.toMillis() - 1;
			target(md, "variant 10: median batch within 25% of its target (" + AdaptiveVariant.TARGET.toMillis()
					+ " ms)", String.format(Locale.ROOT, "%.2f ms (%+.0f%%)", adaptiveBatch, off * 100),
					Math.abs(off) <= 0.25);
		}
		for (String id : List.of("1", "2", "8")) {
			Accounting run = this.accounting.get(id);
			if (run != null) {
				target(md, "variant " + id + ": at most 1 bookkeeping statement per batch, inside the batch's transaction",
						run.bookkeepingPerBatch() + " per batch: " + run.perBatchStatements()
								+ String.format(Locale.ROOT, " (%,d of the run's %,d bookkeeping statements ran outside "
										+ "a transaction: the once-per-run lease and tracking-row statements)",
										run.bookkeepingOutsideTransaction(), run.bookkeeping()),
						run.bookkeepingMedian() <= 1);
			}
		}
		List<VariantRun> first = runsOf("1");
		if (!first.isEmpty()) {
			double ratio = Stats.median(first.stream().map((run) -> run.lastTenthMillis() / run.firstTenthMillis()).toList());
			target(md, "variant 1: last 10% of batches ≤ 1.1× first 10%", ratio(ratio) + " (median over rounds)",
					ratio <= 1.1);
		}
		if (this.heap.size() >= 2) {
			HeapRun small = this.heap.get(0);
			HeapRun large = this.heap.get(this.heap.size() - 1);
			double change = (double) (large.liveMaxBytes() - small.liveMaxBytes()) / small.liveMaxBytes();
			target(md, String.format(Locale.ROOT, "live heap at %,d rows within 10%% of %,d rows", large.rows(),
					small.rows()), String.format(Locale.ROOT, "%+.1f%% (%.1f MB vs %.1f MB)", change * 100,
							large.liveMaxBytes() / 1e6, small.liveMaxBytes() / 1e6),
					Math.abs(change) <= 0.10);
		}
		if (this.startup != null && this.startup.error() == null) {
			double overhead = this.startup.overhead();
			double paired = this.startup.pairedOverhead("without");
			// Noise from other processes only adds time and comes in bursts: met only if both
			// the difference of the medians and the median of the per-round differences are.
			target(md, "startup overhead ≤ 50 ms (vs the same app without backfill-autoconfigure)",
					String.format(Locale.ROOT,
							"%+.0f ms difference of medians, %+.0f ms median of per-round differences; vs the "
									+ "app running one query at startup: %+.0f ms and %+.0f ms",
							overhead, paired,
							Stats.median(this.startup.millis().get("with"))
									- Stats.median(this.startup.millis().get("without-db")),
							this.startup.pairedOverhead("without-db")),
					overhead <= 50 && paired <= 50);
		}
	}

	/** Variant 10f's batches in the light and in the heavy stripes of ids: how much the cost varies. */
	private void adaptive(StringBuilder md) {
		List<VariantRun> fixed = runsOf("10f");
		if (fixed.isEmpty() || Double.isNaN(medianBatchMillis("10"))) {
			return;
		}
		List<Double> light = new ArrayList<>();
		List<Double> heavy = new ArrayList<>();
		for (VariantRun run : fixed) {
			long stripe = Math.max(1, run.rows() / 10);
			List<Long> batches = run.batchNanos();
			for (int i = 0; i < batches.size(); i++) {
				long firstId = (long) i * this.options.batchSize() + 1;
				(((firstId - 1) / stripe) % 2 == 0 ? light : heavy).add(batches.get(i) / 1e6);
			}
		}
		md.append("\n### Adaptive batch size (variants 10 and 10f)\n\n");
		md.append(String.format(Locale.ROOT, "Rows whose cost varies: at the fixed batch size of %,d rows (10f), "
				+ "a batch takes %.2f ms in the light stripes and %.2f ms in the heavy ones (median, all rounds): "
				+ "%s. Variant 10 aims each batch at %d ms: its median batch is %.2f ms, %s batches per run "
				+ "(median), against %s at the fixed size.%n", this.options.batchSize(), Stats.median(light),
				Stats.median(heavy), ratio(Stats.median(heavy) / Stats.median(light)), AdaptiveVariant.TARGET.toMillis(),
				medianBatchMillis("10"), number(medianBatchCount(runsOf("10"))), number(medianBatchCount(fixed))));
	}

	private static double medianBatchCount(List<VariantRun> runs) {
		return Stats.median(runs.stream().map((run) -> run.batchNanos().size()).toList());
	}

	private void diagnostics(StringBuilder md) {
		double v2 = medianRate("2");
		double v4 = medianRate("4");
		double v4b = medianRate("4b");
		if (Double.isNaN(v4b)) {
			return;
		}
		md.append("\n### Diagnosis of variant 2 against 4\n\n| Comparison | Ratio | Median batch (ms) |\n|---|--:|--:|\n");
		md.append(String.format(Locale.ROOT, "| 4b vs 4: the two bookkeeping statements alone | %s | %.2f vs %.2f |%n",
				ratio(v4b / v4), medianBatchMillis("4b"), medianBatchMillis("4")));
		md.append(String.format(Locale.ROOT, "| 2 vs 4b: the runner's Java code alone (row maps, transaction "
				+ "template, retry template, pool) | %s | %.2f vs %.2f |%n", ratio(v2 / v4b), medianBatchMillis("2"),
				medianBatchMillis("4b")));
	}

	private double medianBatchMillis(String id) {
		return Stats.median(runsOf(id).stream().map((run) -> Stats.median(run.batchNanos()) / 1e6).toList());
	}

	private static void target(StringBuilder md, String target, String measured, boolean met) {
		md.append("| ").append(target).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**")
			.append(" |\n");
	}

	private static String number(double value) {
		return Double.isNaN(value) ? "—" : String.format(Locale.ROOT, "%,.0f", value);
	}

	private static String ratio(double value) {
		return (Double.isNaN(value) || Double.isInfinite(value)) ? "—" : String.format(Locale.ROOT, "%.2f×", value);
	}

	private static String abbreviate(String sql) {
		String flat = sql.replaceAll("\\s+", " ").strip();
		return (flat.length() > 160) ? flat.substring(0, 157) + "..." : flat;
	}

	/**
	 * One timed run of a variant.
	 *
	 * @param id the variant
	 * @param round the round, from 1
	 * @param rows rows in the table
	 * @param nanos wall time of the run
	 * @param allocatedBytes bytes allocated by the JVM's threads during it
	 * @param batchNanos each batch's duration
	 * @param verification the check of the table afterwards
	 * @param error what it threw, or {@code null}
	 * @param load the system load average (1 minute) just before it
	 */
	public record VariantRun(String id, int round, int rows, long nanos, long allocatedBytes, List<Long> batchNanos,
			BenchTable.Verification verification, String error, double load) {

		/**
		 * Whether it completed and the table checked out.
		 * @return whether it is verified
		 */
		public boolean ok() {
			return this.error == null && this.verification.ok();
		}

		String describe() {
			return (this.error != null) ? "FAILED: " + this.error : this.verification.describe();
		}

		double rowsPerSecond() {
			return this.rows / (this.nanos / 1e9);
		}

		double bytesPerRow() {
			return (double) this.allocatedBytes / this.rows;
		}

		double firstTenthMillis() {
			return Stats.median(Stats.head(this.batchNanos, 0.1)) / 1e6;
		}

		double lastTenthMillis() {
			return Stats.median(Stats.tail(this.batchNanos, 0.1)) / 1e6;
		}

	}

	/**
	 * The statements of a warm-up run.
	 *
	 * @param id the variant
	 * @param rows rows in the table
	 * @param batches batches committed
	 * @param bookkeepingPerBatchList bookkeeping statements of each batch
	 * @param user the user's statements
	 * @param bookkeeping all bookkeeping statements
	 * @param bookkeepingOutsideTransaction bookkeeping statements run in autocommit mode
	 * @param commits commits
	 * @param bookkeepingBySql bookkeeping statements by SQL
	 * @param nanosBySql time spent waiting for each statement
	 * @param nanosByKind time spent on reads, writes, bookkeeping, commits, the rest and in
	 * total
	 * @param verification the check of the table afterwards
	 * @param claims what claiming chunks cost, or {@code null} for a run without chunks
	 * @param error what the run threw, or {@code null}
	 */
	record Accounting(String id, int rows, int batches, List<Long> bookkeepingPerBatchList, long user,
			long bookkeeping, long bookkeepingOutsideTransaction, long commits, Map<String, Long> bookkeepingBySql,
			Map<String, Long> nanosBySql, Map<String, Long> nanosByKind, BenchTable.Verification verification,
			ChunkClaims claims, String error) {

		boolean ok() {
			return this.error == null && this.verification.ok();
		}

		String describe() {
			return (this.error != null) ? "FAILED: " + this.error : this.verification.describe();
		}

		double bookkeepingMedian() {
			return Stats.median(this.bookkeepingPerBatchList);
		}

		String bookkeepingPerBatch() {
			double median = bookkeepingMedian();
			return Double.isNaN(median) ? "—" : String.format(Locale.ROOT, "%.0f", median);
		}

		/** The bookkeeping statements run about once per batch. */
		String perBatchStatements() {
			List<String> statements = new ArrayList<>();
			this.bookkeepingBySql.forEach((sql, count) -> {
				if (count >= this.batches - 1 && this.batches > 1) {
					statements.add("`" + abbreviate(sql).replaceAll("^(\\S+ \\S+ \\S+).*$", "$1") + " …`");
				}
			});
			// A SqlMigration's checkpoint on PostgreSQL rides in the batch's one statement.
			return statements.isEmpty() ? "none of its own" : String.join(" + ", statements);
		}

	}

	/**
	 * A peak-heap run.
	 *
	 * @param rows rows in the table
	 * @param liveMaxBytes the largest heap in use after a full GC
	 * @param liveEndBytes the heap in use after a full GC at the end
	 * @param poolPeakBytes the sum of the heap pools' peak usage
	 * @param nanos the run's wall time
	 * @param verified whether it completed and the table checked out
	 * @param error what failed, or {@code null}
	 */
	record HeapRun(int rows, long liveMaxBytes, long liveEndBytes, long poolPeakBytes, long nanos, boolean verified,
			String error) {
	}

	/**
	 * The startup times.
	 *
	 * @param millis the times of each mode's starts
	 * @param error what failed, or {@code null}
	 */
	record Startup(Map<String, List<Long>> millis, String error) {

		double overhead() {
			return Stats.median(this.millis.get("with")) - Stats.median(this.millis.get("without"));
		}

		/** The median of the differences between starts of the same round. */
		double pairedOverhead(String baseline) {
			List<Long> with = this.millis.get("with");
			List<Long> other = this.millis.get(baseline);
			List<Long> differences = new ArrayList<>();
			for (int i = 0; i < Math.min(with.size(), other.size()); i++) {
				differences.add(with.get(i) - other.get(i));
			}
			return Stats.median(differences);
		}

	}

}
