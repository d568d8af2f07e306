package dev.backfill.autoconfigure.console;

import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.core.env.PropertyResolver;

/**
 * The console's writes where Actuator is absent: the same properties as the endpoint's
 * access, read as Actuator reads them. {@code management.endpoint.backfills.access}, else
 * {@code management.endpoints.access.default}, else read-only; open when that is
 * {@code unrestricted} and {@code management.endpoints.access.max-permitted} does not cap
 * it.
 */
final class PropertyWriteAccess implements ConsoleWriteAccess {

	private final PropertyResolver properties;

	PropertyWriteAccess(PropertyResolver properties) {
		this.properties = properties;
	}

	@Override
	public boolean isOpen() {
		String access = this.properties.getProperty(PROPERTY,
				this.properties.getProperty("management.endpoints.access.default", "read-only"));
		String maxPermitted = this.properties.getProperty("management.endpoints.access.max-permitted",
				"unrestricted");
		return isUnrestricted(access) && isUnrestricted(maxPermitted);
	}

	// Relaxed as Boot binds an enum: 'unrestricted', 'UNRESTRICTED'.
	private static boolean isUnrestricted(@Nullable String value) {
		return value != null && value.trim().toLowerCase(Locale.ROOT).equals("unrestricted");
	}

}
