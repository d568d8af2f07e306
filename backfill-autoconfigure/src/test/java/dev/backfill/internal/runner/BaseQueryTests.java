package dev.backfill.internal.runner;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** Reading a base query: terminators dropped, top-level row limits and second statements refused. */
class BaseQueryTests {

	@ParameterizedTest
	@ValueSource(strings = { "SELECT id FROM items LIMIT 20", "SELECT id FROM items limit 20",
			"SELECT id FROM items ORDER BY id LIMIT 20;", "SELECT id FROM items LIMIT 10, 20",
			"SELECT id FROM items\nLIMIT\n20", "SELECT id FROM items WHERE (val > 1) LIMIT 20",
			"SELECT id FROM a UNION SELECT id FROM b LIMIT 5", "SELECT id FROM items LIMIT ?",
			"SELECT id FROM items -- the items\nLIMIT 20", "SELECT id FROM items /* (( */ LIMIT 20",
			"SELECT id, 'it''s (' FROM items LIMIT 20", "SELECT \"limit_date\" FROM items LIMIT 20" })
	void topLevelLimitIsRefusedNamingTheMigrationAndWhy(String sql) {
		assertRefused(sql, false, "LIMIT");
		assertRefused(sql, true, "LIMIT");
	}

	@ParameterizedTest
	@ValueSource(strings = { "SELECT id FROM items OFFSET 20", "SELECT id FROM items OFFSET 20 ROWS",
			"SELECT id FROM items ORDER BY id OFFSET ?", "SELECT id FROM items OFFSET (10 * 2)" })
	void topLevelOffsetIsRefused(String sql) {
		assertRefused(sql, false, "OFFSET");
	}

	@ParameterizedTest
	@ValueSource(strings = { "SELECT id FROM items FETCH FIRST 20 ROWS ONLY",
			"SELECT id FROM items ORDER BY id OFFSET 0 ROWS FETCH NEXT 20 ROWS ONLY" })
	void topLevelFetchIsRefused(String sql) {
		assertThatExceptionOfType(InvalidMigrationException.class)
			.isThrownBy(() -> BaseQuery.parse(sql, false).check("paged"))
			.withMessageStartingWith("Base query of migration 'paged' has its own top-level ")
			.withMessageMatching("(?s).*top-level (OFFSET|FETCH FIRST|FETCH NEXT);.*");
	}

	@ParameterizedTest
	@ValueSource(strings = { "SELECT id FROM items WHERE id IN (SELECT id FROM other LIMIT 5)",
			"SELECT i.id FROM (SELECT id FROM items ORDER BY id LIMIT 5 OFFSET 2) i",
			"WITH firsts AS (SELECT id FROM items FETCH FIRST 5 ROWS ONLY) SELECT id FROM firsts",
			"SELECT id FROM items WHERE note = 'LIMIT 5'", "SELECT id FROM items WHERE note = 'it''s LIMIT 5'",
			"SELECT id FROM items -- LIMIT 5", "SELECT id FROM items /* LIMIT 5 */",
			"SELECT id FROM items /* multi\nline LIMIT 5 */ WHERE val > 0",
			"SELECT id, limit_date, date_limit, offset_days FROM items WHERE limit_date > now()",
			"SELECT \"limit\" FROM items", "SELECT `limit` FROM items", "SELECT \"a\"\"LIMIT 5\" FROM items",
			"SELECT id FROM items WHERE note = E'\\' LIMIT 5'", "SELECT id FROM items WHERE note = $$ LIMIT 5 $$",
			"SELECT id FROM items WHERE note = $tag$ it's LIMIT 5 $tag$", "SELECT id FROM items ORDER BY id",
			"SELECT id, val FROM items ORDER BY val DESC, id", "SELECT id, offset FROM items",
			"SELECT id, offset, fetch FROM items WHERE offset > 0", "SELECT id FROM items WHERE id > $1" })
	void rowLimitInsideASubqueryStringCommentOrIdentifierIsAllowed(String sql) {
		assertThatNoException().isThrownBy(() -> BaseQuery.parse(sql, false).check("fine"));
	}

	@Test
	void mysqlSyntaxReadsBackslashEscapesHashCommentsAndExecutableComments() {
		String escaped = "SELECT id FROM items WHERE note = 'it\\'s LIMIT 5'";
		assertThatNoException().isThrownBy(() -> BaseQuery.parse(escaped, true).check("m"));
		// Without MySQL's rules the backslash is text and the string ends at \'.
		assertRefused("SELECT id FROM items WHERE note = 'C:\\' LIMIT 5", false, "LIMIT");
		assertThatNoException()
			.isThrownBy(() -> BaseQuery.parse("SELECT id FROM items WHERE note = \"say \\\"LIMIT 5\\\"\"", true)
				.check("m"));
		assertThatNoException().isThrownBy(() -> BaseQuery.parse("SELECT id FROM items # LIMIT 5", true).check("m"));
		assertRefused("SELECT id FROM items /*! LIMIT 5 */", true, "LIMIT");
		assertRefused("SELECT id FROM items /*M!100000 LIMIT 5 */", true, "LIMIT");
		assertThatNoException().isThrownBy(() -> BaseQuery.parse("SELECT id FROM items /*! */", true).check("m"));
	}

	@Test
	void terminatingSemicolonsAreDropped() {
		assertThat(BaseQuery.parse("  SELECT id FROM items;; ; ", false).sql()).isEqualTo("SELECT id FROM items");
		assertThat(BaseQuery.parse("SELECT id FROM items; -- done", false).sql()).isEqualTo("SELECT id FROM items");
		assertThat(BaseQuery.parse("SELECT id FROM items WHERE note = ';'", false).sql())
			.isEqualTo("SELECT id FROM items WHERE note = ';'");
	}

	@Test
	void commentsAreKeptWhenNothingIsDropped() {
		assertThat(BaseQuery.parse("SELECT id FROM items -- every item\n", false).sql())
			.isEqualTo("SELECT id FROM items -- every item");
	}

	@Test
	void secondStatementIsRefused() {
		assertThatExceptionOfType(InvalidMigrationException.class)
			.isThrownBy(() -> BaseQuery.parse("SELECT id FROM items; DELETE FROM items", false).check("two"))
			.withMessageStartingWith("Base query of migration 'two' has more than one statement");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "   ", ";", " ; ;" })
	void emptyQueryIsRefused(String sql) {
		assertThatExceptionOfType(InvalidMigrationException.class)
			.isThrownBy(() -> BaseQuery.parse(sql, false).check("empty"))
			.withMessage("Base query of migration 'empty' is empty");
	}

	@Test
	void unterminatedStringOrCommentIsLeftToTheDatabase() {
		assertThatNoException().isThrownBy(() -> BaseQuery.parse("SELECT id FROM items WHERE a = 'LIMIT", false)
			.check("m"));
		assertThatNoException().isThrownBy(() -> BaseQuery.parse("SELECT id FROM items /* LIMIT", false).check("m"));
	}

	private static void assertRefused(String sql, boolean mysqlSyntax, String keyword) {
		assertThatExceptionOfType(InvalidMigrationException.class)
			.isThrownBy(() -> BaseQuery.parse(sql, mysqlSyntax).check("limited"))
			.withMessageStartingWith("Base query of migration 'limited' has its own top-level " + keyword
					+ "; backfill adds its own LIMIT per batch, so a base query's LIMIT/OFFSET/FETCH would end the "
					+ "migration early")
			.satisfies((ex) -> assertThat(ex.getAction())
				.isEqualTo("Remove the " + keyword + " and select the rows still to migrate with WHERE instead."));
	}

}
