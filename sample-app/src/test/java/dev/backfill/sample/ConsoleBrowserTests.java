package dev.backfill.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.backfill.BackfillThrottle;
import dev.backfill.ThrottleDecision;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console of the sample, as it ships (200,000 users, background mode, the console
 * enabled and its actions open), in headless Chromium: the page lists the migrations, the
 * bar moves while {@code emailDomain} runs, its pause button stops the rows in the
 * database, and resume runs it to {@code COMPLETED} with every user migrated once. It
 * saves the console mid-run as {@code target/console.png} (the README's picture).
 * <p>
 * The first batch waits for the browser (a throttle the test opens), so that a slow
 * browser start on a busy machine cannot miss the run; the 100 ms throttle between
 * batches gives the run some 20 s to click in.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "backfill.throttle=100ms", "backfill.console.refresh-interval=300ms" })
@Import(ConsoleBrowserTests.Gate.class)
@DirtiesContext
class ConsoleBrowserTests {

	private static final long USERS = 200_000;

	private static final String MIGRATION = "emailDomain";

	@LocalServerPort
	private int port;

	@Autowired
	private JdbcTemplate jdbc;

	@Autowired
	private MeterRegistry registry;

	@Autowired
	private Gate gate;

	@Test
	void barMovesPauseStopsTheRowsAndResumeRunsToCompleted() throws Exception {
		try (HeadlessChromium chromium = HeadlessChromium.start()) {
			ChromeDriver browser = chromium.driver();
			browser.get("http://localhost:" + this.port + "/backfill");
			WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(100));
			wait.until((driver) -> names(browser).size() == 2);
			assertThat(names(browser)).containsExactly("emailDomain", "onboardingStep");

			this.gate.open();
			double first = wait.until((driver) -> positive(percent(browser)));
			double later = wait.until((driver) -> (percent(browser) > first) ? percent(browser) : null);
			assertThat(later).isGreaterThan(first);
			assertThat(fillWidth(browser)).isPositive();
			wait.until((driver) -> percent(browser) >= 15);
			screenshot(browser, Path.of("target", "console.png"));

			card(browser).findElement(By.cssSelector("button[data-action='pause']")).click();
			wait.until((driver) -> "PAUSED".equals(status(browser)));
			assertThat(tracking().get("status")).isEqualTo("PAUSED");
			// The worker stops at its next batch: let it, then the rows stay put.
			long paused = rowsWhenSettled();
			Thread.sleep(3_000);
			assertThat(rows()).isEqualTo(paused).isLessThan(USERS);
			assertThat(status(browser)).isEqualTo("PAUSED");
			assertThat(card(browser).findElements(By.cssSelector("button[data-action='pause']"))).isEmpty();

			card(browser).findElement(By.cssSelector("button[data-action='resume']")).click();
			new WebDriverWait(browser, Duration.ofMinutes(2), Duration.ofMillis(200))
				.until((driver) -> "COMPLETED".equals(status(browser)));
		}
		Map<String, Object> row = tracking();
		assertThat(row.get("status")).isEqualTo("COMPLETED");
		assertThat(((Number) row.get("rows_processed")).longValue()).isEqualTo(USERS);
		assertThat(((Number) row.get("batches")).longValue()).isEqualTo(USERS / 1000);
		assertThat(this.jdbc.queryForObject("SELECT COUNT(*) FROM users WHERE email_domain IS NULL", Long.class))
			.isZero();
		assertThat(this.registry.get("backfill.rows").tag("migration", MIGRATION).counter().count())
			.isEqualTo(USERS);
	}

	private static List<String> names(ChromeDriver browser) {
		return browser.findElements(By.cssSelector(".migration h2")).stream().map(WebElement::getText).toList();
	}

	private static WebElement card(ChromeDriver browser) {
		return browser.findElement(By.cssSelector("[data-migration='" + MIGRATION + "']"));
	}

	private static String status(ChromeDriver browser) {
		return card(browser).findElement(By.cssSelector(".status")).getText();
	}

	private static double percent(ChromeDriver browser) {
		String percent = card(browser).findElement(By.cssSelector(".bar")).getDomAttribute("data-percent");
		return (percent == null || percent.isEmpty()) ? 0 : Double.parseDouble(percent);
	}

	private static long fillWidth(ChromeDriver browser) {
		return card(browser).findElement(By.cssSelector(".fill")).getRect().getWidth();
	}

	private static Double positive(double value) {
		return (value > 0) ? value : null;
	}

	private static void screenshot(ChromeDriver browser, Path target) throws Exception {
		Files.createDirectories(target.getParent());
		Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
	}

	private Map<String, Object> tracking() {
		return this.jdbc.queryForMap("SELECT status, rows_processed, batches FROM backfill_migrations WHERE name = ?",
				MIGRATION);
	}

	private long rows() {
		return ((Number) tracking().get("rows_processed")).longValue();
	}

	/** The rows once two reads 1 s apart agree: the batch running at the pause has committed. */
	private long rowsWhenSettled() throws InterruptedException {
		long before = rows();
		for (int i = 0; i < 30; i++) {
			Thread.sleep(1_000);
			long now = rows();
			if (now == before) {
				return now;
			}
			before = now;
		}
		throw new AssertionError("rows_processed of " + MIGRATION + " still grows 30 s after the pause: " + before);
	}

	/** Holds every batch back until the browser shows the page. */
	@TestConfiguration(proxyBeanMethods = false)
	static class Gate {

		private volatile boolean open;

		void open() {
			this.open = true;
		}

		@Bean
		BackfillThrottle heldForTheBrowser() {
			return (context) -> this.open ? ThrottleDecision.go()
					: ThrottleDecision.waitFor(Duration.ofMillis(100), "held-for-the-browser");
		}

	}

}
