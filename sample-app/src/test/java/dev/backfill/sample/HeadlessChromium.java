package dev.backfill.sample;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's Chromium, headless, driven through its own chromedriver: both executables are
 * given, so that Selenium Manager never tries to download a browser, and each browser
 * gets a profile directory of its own. Where they are missing, the test skips, or fails
 * under {@code CI=true} (.ci/run installs them).
 *
 * @param driver the driver
 * @param profile the browser's temporary profile, deleted on close
 */
record HeadlessChromium(ChromeDriver driver, Path profile) implements AutoCloseable {

	private static final File CHROMEDRIVER = new File(env("BACKFILL_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"));

	private static final File CHROMIUM = new File(env("BACKFILL_TEST_CHROMIUM", "/usr/bin/chromium"));

	static HeadlessChromium start() throws IOException {
		if (!CHROMEDRIVER.canExecute() || !CHROMIUM.canExecute()) {
			String message = "No browser for the console's browser tests: " + CHROMIUM + " or " + CHROMEDRIVER
					+ " is missing (apt-get install chromium chromium-driver, as .ci/run does; or set "
					+ "BACKFILL_TEST_CHROMIUM and BACKFILL_TEST_CHROMEDRIVER)";
			if ("true".equalsIgnoreCase(System.getenv("CI"))) {
				throw new AssertionError(message + " (CI=true, so this fails instead of skipping)");
			}
			Assumptions.abort(message);
		}
		Path profile = Files.createTempDirectory("backfill-chromium-");
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM);
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
				"--disable-background-networking", "--window-size=1200,820", "--user-data-dir=" + profile);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
			.usingAnyFreePort()
			.build();
		return new HeadlessChromium(new ChromeDriver(service, options), profile);
	}

	@Override
	public void close() {
		try {
			this.driver.quit();
		}
		finally {
			try (Stream<Path> files = Files.walk(this.profile)) {
				files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	private static String env(String name, String fallback) {
		String value = System.getenv(name);
		return (value != null && !value.isBlank()) ? value : fallback;
	}

}
