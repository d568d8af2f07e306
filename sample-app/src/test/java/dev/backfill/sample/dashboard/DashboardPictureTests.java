package dev.backfill.sample.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Makes the README's picture of the dashboard ({@code docs/dashboard.png}): runs the sample as
 * it ships (200,000 users, background mode, its 20 ms pause) with
 * {@link DashboardDemoConfiguration}'s throttle and flaky migration, scrapes its
 * {@code /actuator/prometheus} once a second until every migration has completed, draws the
 * dashboard's panels from those scrapes ({@link DashboardPicture}) and has Debian's headless
 * Chromium take a screenshot of the page. Not part of the build: it runs only when asked,
 * from the project root:
 * <pre>
 * ./mvnw -pl sample-app -am test -Dtest=DashboardPictureTests -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Ddashboard.picture=$PWD/docs/dashboard.png
 * </pre>
 */
@EnabledIfSystemProperty(named = "dashboard.picture", matches = ".+",
		disabledReason = "makes docs/dashboard.png only when -Ddashboard.picture=<file> is given")
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "backfill.retry.initial-backoff=10ms")
@Import(DashboardDemoConfiguration.class)
class DashboardPictureTests {

	private static final String RATE_INTERVAL = "5s";

	private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	@LocalServerPort
	private int port;

	@Autowired
	private JdbcTemplate jdbc;

	@Test
	void drawsTheDashboardFromScrapesOfARunOfTheSample(@TempDir Path temp) throws Exception {
		assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium)").isExecutable();
		List<Scrape> scrapes = scrapeUntilEveryMigrationCompleted();
		Dashboard dashboard = Dashboard.read();
		DashboardPicture picture = new DashboardPicture(dashboard, scrapes, RATE_INTERVAL);
		String caption = "Not Grafana: the panels of dashboards/backfill.json drawn by DashboardPictureTests from "
				+ scrapes.size() + " scrapes of the sample's /actuator/prometheus, one a second, during a run of its "
				+ "migrations on H2 (200,000 users), with the test's throttle (every 10th batch waits 50 ms) and its "
				+ "flakyNoOp migration (a transient failure every 20th batch); $__rate_interval = " + RATE_INTERVAL
				+ ".";
		Path page = temp.resolve("dashboard.html");
		Files.writeString(page, picture.html(caption));
		Path png = Path.of(System.getProperty("dashboard.picture")).toAbsolutePath();
		Files.createDirectories(png.getParent());
		Files.deleteIfExists(png);
		screenshot(page, png, picture.height(), temp.resolve("chromium-profile"));
		assertThat(png).isNotEmptyFile();
	}

	private List<Scrape> scrapeUntilEveryMigrationCompleted() throws InterruptedException {
		RestClient client = RestClient.create("http://localhost:" + this.port);
		List<Scrape> scrapes = new ArrayList<>();
		Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
		int afterCompletion = 0;
		while (afterCompletion < 5) {
			assertThat(Instant.now()).as("every migration completed within 4 minutes").isBefore(deadline);
			scrapes.add(Scrape.parse(Instant.now(),
					client.get().uri("/actuator/prometheus").retrieve().body(String.class)));
			if (completed() == 3) {
				afterCompletion++;
			}
			Thread.sleep(1000);
		}
		return scrapes;
	}

	private int completed() {
		return this.jdbc.queryForObject("SELECT COUNT(*) FROM backfill_migrations WHERE status = 'COMPLETED'",
				Integer.class);
	}

	private static void screenshot(Path page, Path png, int height, Path profile) throws IOException, InterruptedException {
		Process chromium = new ProcessBuilder(CHROMIUM.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
				"--disable-dev-shm-usage", "--disable-background-networking", "--hide-scrollbars",
				"--user-data-dir=" + profile, "--window-size=" + DashboardPicture.WIDTH + "," + height,
				"--screenshot=" + png, page.toUri().toString())
			.redirectErrorStream(true)
			.redirectOutput(profile.resolveSibling("chromium.log").toFile())
			.start();
		assertThat(chromium.waitFor(2, TimeUnit.MINUTES)).as("chromium took the screenshot within 2 minutes").isTrue();
		assertThat(chromium.exitValue()).as("chromium's exit status; its output: %s",
				Files.readString(profile.resolveSibling("chromium.log")))
			.isZero();
	}

}
