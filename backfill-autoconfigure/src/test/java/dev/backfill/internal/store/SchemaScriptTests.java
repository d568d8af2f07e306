package dev.backfill.internal.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped schema scripts are the one source of the tables' DDL: the store runs them
 * with the configured table name, and the copies the Flyway tests make are verbatim.
 */
class SchemaScriptTests {

	static Stream<SqlDialect> dialects() {
		return Stream.of(new PostgresDialect(), new MariaDbDialect(), new H2Dialect());
	}

	@ParameterizedTest
	@MethodSource("dialects")
	void everyStatementCreatesATableNamedAfterTheConfiguredTrackingTable(SqlDialect dialect) {
		SchemaScript script = SchemaScript.of(dialect, "ops_backfills");
		assertThat(script.statements()).isNotEmpty();
		assertThat(script.tables()).first().isEqualTo("ops_backfills");
		assertThat(script.tables()).allMatch((table) -> table.startsWith("ops_backfills"));
		assertThat(String.join("\n", script.statements())).doesNotContain("backfill_migrations").doesNotContain("--");
	}

	@ParameterizedTest
	@MethodSource("dialects")
	void theFlywayCopyInTheTestsHoldsTheShippedScriptVerbatim(SqlDialect dialect) throws IOException {
		String vendor = dialect.schemaScript().replace("schema-", "").replace(".sql", "");
		String copy;
		try (InputStream in = getClass().getResourceAsStream("/db/backfill-flyway/" + vendor + "/V1__tracking_table.sql")) {
			copy = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		for (String statement : SchemaScript.of(dialect, SchemaScript.DEFAULT_TABLE).statements()) {
			assertThat(copy).contains(statement);
		}
	}

}
