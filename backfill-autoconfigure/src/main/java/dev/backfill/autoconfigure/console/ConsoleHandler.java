package dev.backfill.autoconfigure.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Optional;

import dev.backfill.BackfillOperations;
import dev.backfill.MigrationInfo;
import dev.backfill.MigrationStateException;
import dev.backfill.UnknownMigrationException;

import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;
import org.springframework.web.util.HtmlUtils;

/**
 * The console's page and its JSON API over {@link BackfillOperations}: the list of
 * migrations, and an action on one, refused unless the console's writes are open.
 */
final class ConsoleHandler {

	private static final MediaType HTML = new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8);

	private final BackfillOperations operations;

	private final ConsoleWriteAccess writeAccess;

	private final String path;

	private final long refreshMillis;

	private final String page;

	ConsoleHandler(BackfillOperations operations, ConsoleWriteAccess writeAccess, BackfillConsoleProperties properties) {
		this.operations = operations;
		this.writeAccess = writeAccess;
		this.path = properties.getPath();
		this.refreshMillis = properties.getRefreshInterval().toMillis();
		this.page = read(new ClassPathResource("dev/backfill/console/index.html"));
	}

	/** The page, at the path with or without a trailing '/': its base is the path with one. */
	ServerResponse page(ServerRequest request) {
		String base = request.servletRequest().getContextPath() + this.path + "/";
		return ServerResponse.ok()
			.contentType(HTML)
			.cacheControl(CacheControl.noCache())
			.body(this.page.replace("{{base}}", HtmlUtils.htmlEscape(base)));
	}

	ServerResponse migrations(ServerRequest request) {
		boolean open = this.writeAccess.isOpen();
		ConsoleView view = new ConsoleView(open, open ? null : ConsoleWriteAccess.CLOSED_MESSAGE, this.refreshMillis,
				ConsoleCsrf.of(request.servletRequest()),
				this.operations.migrations().stream().map((info) -> ConsoleMigration.of(info, open)).toList());
		return ServerResponse.ok().cacheControl(CacheControl.noStore()).body(view);
	}

	ServerResponse act(ServerRequest request) {
		if (!this.writeAccess.isOpen()) {
			return error(HttpStatus.FORBIDDEN, ConsoleWriteAccess.CLOSED_MESSAGE);
		}
		String name = request.pathVariable("name");
		String id = request.pathVariable("action");
		Optional<ConsoleAction> action = ConsoleAction.of(id);
		if (action.isEmpty()) {
			return error(HttpStatus.NOT_FOUND, "No action '" + id + "'; the actions are " + ConsoleAction.ids());
		}
		String principal = request.principal().map(Principal::getName).orElse(null);
		try {
			MigrationInfo info = action.get().apply(this.operations, name, principal);
			return ServerResponse.ok().cacheControl(CacheControl.noStore()).body(ConsoleMigration.of(info, true));
		}
		catch (UnknownMigrationException ex) {
			return error(HttpStatus.NOT_FOUND, ex.getMessage());
		}
		catch (MigrationStateException ex) {
			return error(HttpStatus.CONFLICT, ex.getMessage());
		}
	}

	private static ServerResponse error(HttpStatus status, String message) {
		return ServerResponse.status(status).cacheControl(CacheControl.noStore()).body(new ConsoleError(message));
	}

	private static String read(ClassPathResource resource) {
		try (InputStream input = resource.getInputStream()) {
			return new String(input.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot read the backfill console's page " + resource, ex);
		}
	}

	/** What a refused action answers. */
	record ConsoleError(String message) {
	}

}
