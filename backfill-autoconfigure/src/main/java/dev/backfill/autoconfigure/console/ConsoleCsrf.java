package dev.backfill.autoconfigure.console;

import jakarta.servlet.http.HttpServletRequest;
import org.jspecify.annotations.Nullable;

import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.util.ClassUtils;

/**
 * The CSRF token Spring Security's {@code CsrfFilter} put on the request, which the page
 * sends back in the header it names with each action.
 *
 * @param headerName the header, such as {@code X-CSRF-TOKEN}
 * @param token the token's value
 */
record ConsoleCsrf(String headerName, String token) {

	private static final String TOKEN_CLASS = "org.springframework.security.web.csrf.CsrfToken";

	private static final boolean SECURITY_PRESENT = ClassUtils.isPresent(TOKEN_CLASS,
			ConsoleCsrf.class.getClassLoader());

	/**
	 * The request's token.
	 * @param request the request
	 * @return the token, or {@code null} where Spring Security is absent or does not
	 * protect this request against CSRF
	 */
	static @Nullable ConsoleCsrf of(HttpServletRequest request) {
		return SECURITY_PRESENT ? SecurityToken.of(request) : null;
	}

	/** Touches Spring Security's types only when they are present. */
	private static final class SecurityToken {

		static @Nullable ConsoleCsrf of(HttpServletRequest request) {
			if (request.getAttribute(CsrfToken.class.getName()) instanceof CsrfToken token) {
				return new ConsoleCsrf(token.getHeaderName(), token.getToken());
			}
			return null;
		}

	}

}
