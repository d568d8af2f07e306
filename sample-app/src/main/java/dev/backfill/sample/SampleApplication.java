package dev.backfill.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A sample application with two backfills over a {@code users} table that
 * {@code spring.sql.init} creates and fills on start. Watch them at
 * {@code /actuator/metrics/backfill.rows} and {@code /migrations}.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
