package dev.backfill.autoconfigure.console;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.EndpointAccessResolver;
import org.springframework.boot.actuate.endpoint.EndpointId;

/**
 * The console's writes, open when Actuator's {@link EndpointAccessResolver} gives the
 * {@code backfills} endpoint (read-only by default) unrestricted access: it honours
 * {@code management.endpoint.backfills.access}, {@code management.endpoints.access.default}
 * and {@code management.endpoints.access.max-permitted} as the endpoint does.
 */
final class EndpointWriteAccess implements ConsoleWriteAccess {

	private static final EndpointId BACKFILLS = EndpointId.of("backfills");

	private final EndpointAccessResolver resolver;

	EndpointWriteAccess(EndpointAccessResolver resolver) {
		this.resolver = resolver;
	}

	@Override
	public boolean isOpen() {
		return this.resolver.accessFor(BACKFILLS, Access.READ_ONLY) == Access.UNRESTRICTED;
	}

}
