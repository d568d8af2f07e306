package dev.backfill.internal.runner;

import java.util.List;
import java.util.Map;

import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/** The rows {@code migrate} receives are what {@code JdbcTemplate.queryForList} would give. */
class BatchRowsTests {

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void rowsEqualQueryForListWithCaseInsensitiveKeys(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE mixed (id BIGINT PRIMARY KEY, Name VARCHAR(20), amount DECIMAL(10, 2), "
					+ "created TIMESTAMP, flag INT)");
			jdbc.update("INSERT INTO mixed VALUES (1, 'one', 1.50, TIMESTAMP '2026-01-02 03:04:05', NULL)");
			jdbc.update("INSERT INTO mixed VALUES (2, 'two', 2.25, TIMESTAMP '2026-02-03 04:05:06', 7)");
			String sql = "SELECT id, Name, amount, created, flag FROM mixed ORDER BY id";
			List<Map<String, Object>> expected = jdbc.queryForList(sql);
			List<Map<String, Object>> rows = jdbc.query(sql, BatchRows.INSTANCE);
			assertThat(rows).isEqualTo(expected);
			assertThat(rows.get(0).keySet()).containsExactlyElementsOf(expected.get(0).keySet());
			Map<String, Object> row = rows.get(1);
			assertThat(row.get("NAME")).isEqualTo("two").isEqualTo(row.get("name"));
			assertThat(row.get("Id")).isEqualTo(expected.get(1).get("ID"));
			assertThat(row.containsKey("FLAG")).isTrue();
			assertThat(row.get("missing")).isNull();
			assertThat(rows.get(0).containsKey("flag")).isTrue();
			assertThat(rows.get(0).get("flag")).isNull();
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void rowCanBeChangedLikeAQueryForListRow(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			jdbc.execute("CREATE TABLE small (id BIGINT PRIMARY KEY, val INT)");
			jdbc.update("INSERT INTO small VALUES (1, 10)");
			Map<String, Object> row = jdbc.query("SELECT id, val FROM small", BatchRows.INSTANCE).get(0);
			row.put("VAL", 11);
			row.put("extra", "x");
			row.remove("ID");
			assertThat(row).hasSize(2);
			assertThat(row.get("val")).isEqualTo(11);
			assertThat(row.get("EXTRA")).isEqualTo("x");
			assertThat(row.containsKey("id")).isFalse();
		}
	}

}
