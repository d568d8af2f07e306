package dev.backfill.compat;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringBootVersion;

import static org.assertj.core.api.Assertions.assertThat;

/** Each compat run runs on the Spring Boot version its parent names, not on ours. */
class BootVersionTests {

	@Test
	void springBootOnTheClasspathIsTheOneThisRunNames() {
		String expected = System.getProperty("backfill.compat.boot-version");
		assertThat(expected).as("system property backfill.compat.boot-version, set by the run's pom").isNotBlank();
		assertThat(SpringBootVersion.getVersion()).isEqualTo(expected);
	}

}
