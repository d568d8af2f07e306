package dev.backfill.sample;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.backfill.DataMigration;

import org.springframework.core.annotation.Order;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Fills the new {@code users.email_domain} column from {@code email}, one
 * {@code UPDATE} per row sent as a JDBC batch. It runs first ({@code @Order(1)}) and uses
 * the {@code backfill.*} properties as they are.
 */
@Component("emailDomain")
@Order(1)
public class EmailDomainMigration implements DataMigration {

	private final JdbcTemplate jdbc;

	public EmailDomainMigration(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	@Override
	public String baseQuery() {
		return "SELECT id, email FROM users WHERE email_domain IS NULL";
	}

	@Override
	public void migrate(List<Map<String, Object>> rows) {
		List<Object[]> updates = rows.stream()
			.map((row) -> new Object[] { domainOf((String) row.get("email")), row.get("id") })
			.toList();
		// JdbcTemplate on the application's DataSource joins the batch's transaction, so these
		// updates commit together with the batch's checkpoint.
		this.jdbc.batchUpdate("UPDATE users SET email_domain = ? WHERE id = ?", updates);
	}

	static String domainOf(String email) {
		int at = (email != null) ? email.lastIndexOf('@') : -1;
		// An address without a domain still gets a value, so that it leaves the base query.
		return (at >= 0) ? email.substring(at + 1).toLowerCase(Locale.ROOT) : "";
	}

}
