package dev.backfill.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import javax.sql.DataSource;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Child-JVM main of the startup-time measurement: a minimal Spring Boot application with
 * a JDBC DataSource that prints the JVM's uptime when {@code SpringApplication.run}
 * returns (application runners, and so blocking migrations, included). The first argument
 * is the mode:
 * <ul>
 * <li>{@code with}: backfill-autoconfigure on the class path and one {@code DataMigration}
 * bean, already {@code COMPLETED} in the tracking table;</li>
 * <li>{@code without}: the same application with backfill-autoconfigure left off the
 * class path (the parent leaves it out) and no migration;</li>
 * <li>{@code without-db}: as {@code without}, plus an application runner that runs one
 * query, as an application that touches its database at startup (Flyway, JPA) does.</li>
 * </ul>
 * This class refers to no backfill type, so it loads without backfill on the class path.
 * Further arguments are Spring Boot properties ({@code --spring.datasource.url=...}).
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class StartupApp {

	/**
	 * Starts the application, prints {@code RESULT ms=<uptime>} and stops it.
	 * @param args the mode, then Spring Boot properties
	 */
	public static void main(String[] args) throws Exception {
		String mode = args[0];
		List<Class<?>> sources = new ArrayList<>(List.of(StartupApp.class));
		switch (mode) {
			case "with" -> sources.add(Class.forName(StartupApp.class.getPackageName() + ".StartupMigrationConfig"));
			case "without" -> {
			}
			case "without-db" -> sources.add(TouchDatabase.class);
			default -> throw new IllegalArgumentException("Unknown mode " + mode);
		}
		SpringApplication application = new SpringApplication(sources.toArray(Class<?>[]::new));
		application.setBannerMode(Banner.Mode.OFF);
		// -Dbackfill.bench.timeline=true prints the slowest startup steps (for profiling only).
		BufferingApplicationStartup timeline = Boolean.getBoolean("backfill.bench.timeline")
				? new BufferingApplicationStartup(100_000) : null;
		if (timeline != null) {
			application.setApplicationStartup(timeline);
		}
		try (ConfigurableApplicationContext context = application
			.run(Arrays.copyOfRange(args, 1, args.length))) {
			long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
			System.out.println("RESULT mode=" + mode + " ms=" + uptime + " backfill="
					+ context.containsBean("backfillRunner"));
			if (timeline != null) {
				timeline.getBufferedTimeline()
					.getEvents()
					.stream()
					.sorted(Comparator.comparing(StartupTimeline.TimelineEvent::getDuration).reversed())
					.limit(25)
					.forEach((event) -> {
						StringBuilder tags = new StringBuilder();
						event.getStartupStep().getTags().forEach((tag) -> tags.append(' ').append(tag.getKey())
							.append('=').append(tag.getValue()));
						System.out.println(event.getDuration().toMillis() + " ms " + event.getStartupStep().getName()
								+ tags);
					});
			}
		}
	}

	/** Runs one query once the application has started. */
	@Configuration(proxyBeanMethods = false)
	static class TouchDatabase {

		@Bean
		ApplicationRunner touchDatabase(DataSource dataSource) {
			return (args) -> new JdbcTemplate(dataSource).queryForObject("SELECT 1", Integer.class);
		}

	}

}
