package dev.backfill.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What to run: sizes, rounds, the database and the extra measurements.
 *
 * @param rows rows of the benchmark table for variants 1 to 6
 * @param rounds timed rounds; each runs every variant once, in order
 * @param batchSize rows per batch (chunk size for Spring Batch)
 * @param warmupRows rows of the untimed warm-up pass, which also counts statements
 * @param offsetRows table sizes of the OFFSET loop (variant 7), each a variant of its own
 * @param heapRows table sizes of the peak-heap runs of variant 1 in child JVMs; empty to
 * skip them
 * @param startupRuns measured starts of each startup-time app; 0 to skip
 * @param url JDBC URL of a PostgreSQL server, or {@code null} for embedded PostgreSQL
 * @param username user for {@code url}
 * @param password password for {@code url}
 * @param schema schema the benchmark creates (and drops first) for its tables
 * @param variants variant ids to run (all when empty)
 * @param out file to write the Markdown report to, or {@code null}
 * @param command the command line as typed, for the report
 */
public record BenchmarkOptions(int rows, int rounds, int batchSize, int warmupRows, List<Integer> offsetRows,
		List<Integer> heapRows, int startupRuns, String url, String username, String password, String schema,
		Set<String> variants, Path out, String command) {

	/**
	 * Options from command-line arguments; the database comes from {@code --url}, the
	 * system property {@code backfill.bench.url}, or the environment variables
	 * {@code BACKFILL_BENCH_URL} or {@code BACKFILL_TEST_POSTGRES_URL} (with
	 * {@code _USERNAME} and {@code _PASSWORD}), else embedded PostgreSQL is started.
	 * @param args the arguments
	 * @return the options
	 */
	public static BenchmarkOptions parse(String... args) {
		int rows = 1_000_000;
		int rounds = 5;
		int batchSize = 1000;
		Integer warmupRows = null;
		List<Integer> offsetRows = null;
		List<Integer> heapRows = List.of(200_000, 2_000_000);
		int startupRuns = 15;
		String url = firstSet(System.getProperty("backfill.bench.url"), System.getenv("BACKFILL_BENCH_URL"),
				System.getenv("BACKFILL_TEST_POSTGRES_URL"));
		String username = firstSet(System.getProperty("backfill.bench.username"),
				System.getenv("BACKFILL_BENCH_USERNAME"), System.getenv("BACKFILL_TEST_POSTGRES_USERNAME"));
		String password = firstSet(System.getProperty("backfill.bench.password"),
				System.getenv("BACKFILL_BENCH_PASSWORD"), System.getenv("BACKFILL_TEST_POSTGRES_PASSWORD"));
		String schema = "backfill_bench";
		Set<String> variants = new LinkedHashSet<>();
		Path out = null;
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			String value = (i + 1 < args.length) ? args[i + 1] : null;
			switch (arg) {
				case "--rows" -> rows = positive(arg, value);
				case "--rounds" -> rounds = positive(arg, value);
				case "--batch-size" -> batchSize = positive(arg, value);
				case "--warmup-rows" -> warmupRows = positive(arg, value);
				case "--offset-rows" -> offsetRows = sizes(arg, value);
				case "--heap-rows" -> heapRows = "none".equals(value) ? List.of() : sizes(arg, value);
				case "--startup-runs" -> startupRuns = Integer.parseInt(required(arg, value));
				case "--url" -> url = required(arg, value);
				case "--username" -> username = required(arg, value);
				case "--password" -> password = required(arg, value);
				case "--schema" -> schema = required(arg, value);
				case "--variants" -> variants.addAll(List.of(required(arg, value).split(",")));
				case "--out" -> out = Path.of(required(arg, value));
				case "--embedded" -> {
					url = null;
					i--;
				}
				default -> throw new IllegalArgumentException("Unknown option " + arg + "; options: --rows N "
						+ "--rounds N --batch-size N --warmup-rows N --offset-rows N[,N] --heap-rows N,N|none "
						+ "--startup-runs N --url JDBC_URL --username U --password P --embedded --schema NAME "
						+ "--variants 1,2,... --out FILE");
			}
			i++;
		}
		if (warmupRows == null) {
			warmupRows = Math.min(rows, 100_000);
		}
		if (offsetRows == null) {
			offsetRows = List.of(Math.max(1, rows / 20), Math.max(1, rows / 10));
		}
		if (url == null || url.isBlank()) {
			url = null;
			username = null;
			password = null;
		}
		MigrationStoreNames.requirePlain(schema);
		return new BenchmarkOptions(rows, rounds, batchSize, warmupRows, offsetRows, heapRows, startupRuns, url,
				(username != null) ? username : "postgres", (password != null) ? password : "", schema, variants,
				out, "java -jar backfill-benchmarks/target/backfill-benchmarks.jar " + String.join(" ", masked(args)));
	}

	/**
	 * Whether a variant is selected.
	 * @param id the variant's id, such as {@code 1} or {@code 7a}
	 * @return whether it runs
	 */
	public boolean runs(String id) {
		return this.variants.isEmpty() || this.variants.contains(id) || this.variants.contains(id.substring(0, 1));
	}

	private static List<String> masked(String[] args) {
		List<String> result = new ArrayList<>(List.of(args));
		for (int i = 0; i + 1 < result.size(); i++) {
			if (result.get(i).equals("--password")) {
				result.set(i + 1, "***");
			}
		}
		return result;
	}

	private static String firstSet(String... values) {
		for (String value : values) {
			if (value != null && !value.isBlank()) {
				return value;
			}
		}
		return null;
	}

	private static String required(String option, String value) {
		if (value == null) {
			throw new IllegalArgumentException(option + " needs a value");
		}
		return value;
	}

	private static int positive(String option, String value) {
		int number = Integer.parseInt(required(option, value).replace("_", ""));
		if (number < 1) {
			throw new IllegalArgumentException(option + " must be at least 1");
		}
		return number;
	}

	private static List<Integer> sizes(String option, String value) {
		List<Integer> sizes = new ArrayList<>();
		for (String part : required(option, value).split(",")) {
			sizes.add(positive(option, part.strip()));
		}
		return List.copyOf(sizes);
	}

	/** Checks identifiers that are spliced into SQL. */
	static final class MigrationStoreNames {

		private MigrationStoreNames() {
		}

		static void requirePlain(String name) {
			if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
				throw new IllegalArgumentException("'" + name + "' is not a plain lower-case SQL identifier");
			}
		}

	}

}
