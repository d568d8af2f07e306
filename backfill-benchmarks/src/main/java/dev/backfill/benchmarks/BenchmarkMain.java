package dev.backfill.benchmarks;

import java.util.List;

/**
 * Runs the benchmarks and prints the Markdown report; exits with 1 when any variant could
 * not be verified. See the module's README for the options.
 */
public final class BenchmarkMain {

	private BenchmarkMain() {
	}

	/**
	 * Runs the benchmarks.
	 * @param args options, such as {@code --rows 1000000 --rounds 3}
	 */
	public static void main(String[] args) throws Exception {
		BenchmarkOptions options = BenchmarkOptions.parse(args);
		BenchmarkReport report = new BenchmarkHarness(options, System.out).run();
		String markdown = report.toMarkdown();
		System.out.println();
		System.out.println(markdown);
		if (options.out() != null) {
			report.write(options.out());
			System.out.println("Report written to " + options.out().toAbsolutePath());
		}
		List<String> failures = report.failures();
		if (!failures.isEmpty()) {
			System.exit(1);
		}
	}

}
