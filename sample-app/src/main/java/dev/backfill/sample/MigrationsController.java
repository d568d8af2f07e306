package dev.backfill.sample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.backfill.autoconfigure.BackfillProperties;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /migrations}: the rows of backfill's tracking table, to see each migration's
 * status and checkpoint while it runs.
 */
@RestController
public class MigrationsController {

	private final JdbcTemplate jdbc;

	private final String table;

	public MigrationsController(JdbcTemplate jdbc, BackfillProperties properties) {
		this.jdbc = jdbc;
		this.table = properties.getTableName();
	}

	@GetMapping("/migrations")
	public List<Map<String, Object>> migrations() {
		return this.jdbc
			.queryForList("SELECT name, status, rows_processed, batches, last_key, started_at, completed_at, "
					+ "last_error FROM " + this.table + " ORDER BY name")
			.stream()
			.map(MigrationsController::lowerCaseKeys)
			.toList();
	}

	// H2 reports column names in upper case, PostgreSQL in lower case: answer the same on both.
	private static Map<String, Object> lowerCaseKeys(Map<String, Object> row) {
		Map<String, Object> result = new LinkedHashMap<>();
		row.forEach((column, value) -> result.put(column.toLowerCase(Locale.ROOT), value));
		return result;
	}

}
