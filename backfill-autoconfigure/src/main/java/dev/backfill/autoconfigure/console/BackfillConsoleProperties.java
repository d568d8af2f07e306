package dev.backfill.autoconfigure.console;

import java.time.Duration;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * Configuration of backfill's web console.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("backfill.console")
public class BackfillConsoleProperties implements InitializingBean {

	/**
	 * Whether to serve the web console, in a Spring MVC application. Its pause, resume,
	 * retry and rerun buttons are there only when the backfills endpoint's access is
	 * 'unrestricted' (management.endpoint.backfills.access).
	 */
	private boolean enabled;

	/**
	 * Path of the console's page, such as '/backfill'; its assets and its JSON API are
	 * served under it. Starts with '/', does not end with one.
	 */
	private String path = "/backfill";

	/** How often the page fetches the migrations' state again. */
	private Duration refreshInterval = Duration.ofSeconds(2);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public String getPath() {
		return this.path;
	}

	public void setPath(String path) {
		this.path = path;
	}

	public Duration getRefreshInterval() {
		return this.refreshInterval;
	}

	public void setRefreshInterval(Duration refreshInterval) {
		this.refreshInterval = refreshInterval;
	}

	/**
	 * Checks the path and the refresh interval.
	 * @throws InvalidConfigurationPropertyValueException for a bad value
	 */
	@Override
	public void afterPropertiesSet() {
		if (this.path == null || !this.path.matches("(/[A-Za-z0-9._~-]+)+")) {
			throw new InvalidConfigurationPropertyValueException("backfill.console.path", this.path,
					"must start with '/' and be path segments of letters, digits, '.', '_', '~' and '-', "
							+ "without a trailing '/', such as '/backfill'");
		}
		if (this.refreshInterval == null || this.refreshInterval.toMillis() < 100) {
			throw new InvalidConfigurationPropertyValueException("backfill.console.refresh-interval",
					this.refreshInterval, "must be at least 100ms");
		}
	}

}
