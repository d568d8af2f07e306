package dev.backfill.internal.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * A migration's base query as written, read just far enough to wrap it safely: its
 * terminating semicolons are dropped, and a top-level {@code LIMIT}, {@code OFFSET} or
 * {@code FETCH FIRST/NEXT} (which would end the migration after its first rows, since each
 * batch re-runs the base query after the last key) or a second statement is found. The
 * tokenizer skips string literals ({@code '...'} with {@code ''}, {@code E'...'}, dollar
 * quotes {@code $tag$...$tag$}), quoted identifiers ({@code "..."}, backticks) and
 * comments ({@code --}, {@code /* *}{@code /}), and tracks parentheses, so such words
 * inside a subquery, a string, a comment or an identifier ({@code limit_date}) do not
 * count. With {@code mysqlSyntax} a backslash escapes the next character in quotes,
 * {@code #} starts a comment and {@code /*! ... *}{@code /} is code, as MariaDB reads them.
 */
final class BaseQuery {

	private final String sql;

	private final @Nullable String rowLimit;

	private final boolean severalStatements;

	private BaseQuery(String sql, @Nullable String rowLimit, boolean severalStatements) {
		this.sql = sql;
		this.rowLimit = rowLimit;
		this.severalStatements = severalStatements;
	}

	/**
	 * Reads a base query.
	 * @param sql the base query as the migration gives it
	 * @param mysqlSyntax whether the database reads SQL text as MariaDB and MySQL do
	 * @return the query
	 */
	static BaseQuery parse(@Nullable String sql, boolean mysqlSyntax) {
		String text = (sql != null) ? sql.strip() : "";
		List<Token> tokens = new Tokenizer(text, mysqlSyntax).tokens();
		int last = tokens.size() - 1;
		while (last >= 0 && tokens.get(last).is(";")) {
			last--;
		}
		String withoutTerminator = (last < tokens.size() - 1)
				? ((last >= 0) ? text.substring(0, tokens.get(last).end()) : "") : text;
		boolean severalStatements = false;
		for (int i = 0; i < last; i++) {
			if (tokens.get(i).is(";")) {
				severalStatements = true;
			}
		}
		return new BaseQuery(withoutTerminator, rowLimit(tokens.subList(0, last + 1)), severalStatements);
	}

	private static @Nullable String rowLimit(List<Token> tokens) {
		for (int i = 0; i < tokens.size(); i++) {
			Token token = tokens.get(i);
			Token next = (i + 1 < tokens.size()) ? tokens.get(i + 1) : null;
			if (token.depth() > 0 || !token.word()) {
				continue;
			}
			if (token.is("LIMIT")) {
				return "LIMIT";
			}
			// OFFSET is not reserved on MariaDB, so a column may be named so; as a clause it
			// is followed by a number, a parameter or an expression in parentheses.
			if (token.is("OFFSET") && next != null && next.startsAnOffsetValue()) {
				return "OFFSET";
			}
			if (token.is("FETCH") && next != null && (next.is("FIRST") || next.is("NEXT"))) {
				return "FETCH " + next.text().toUpperCase(Locale.ROOT);
			}
		}
		return null;
	}

	/**
	 * The base query without its terminating semicolons, to wrap as a derived table.
	 * @return the SQL, stripped
	 */
	String sql() {
		return this.sql;
	}

	/**
	 * Refuses a base query that cannot be wrapped: empty, with several statements, or
	 * with a top-level row limit.
	 * @param migration the migration, for the message
	 * @throws InvalidMigrationException if the query is one of those
	 */
	void check(String migration) {
		if (this.sql.isEmpty()) {
			throw new InvalidMigrationException("Base query of migration '" + migration + "' is empty", null);
		}
		if (this.severalStatements) {
			throw new InvalidMigrationException("Base query of migration '" + migration
					+ "' has more than one statement [" + this.sql + "]", "Give a single SELECT as the base query.", null);
		}
		if (this.rowLimit != null) {
			throw new InvalidMigrationException("Base query of migration '" + migration + "' has its own top-level "
					+ this.rowLimit + "; backfill adds its own LIMIT per batch, so a base query's LIMIT/OFFSET/FETCH "
					+ "would end the migration early [" + this.sql + "]",
					"Remove the " + this.rowLimit + " and select the rows still to migrate with WHERE instead.", null);
		}
	}

	/**
	 * A token of code: a word, a quoted string or identifier, or one other character.
	 *
	 * @param text the token as written
	 * @param end the offset just after it
	 * @param depth the parenthesis depth it is at
	 * @param word whether it is a word (keyword, identifier or number)
	 */
	private record Token(String text, int end, int depth, boolean word) {

		boolean is(String text) {
			return this.text.equalsIgnoreCase(text);
		}

		boolean startsAnOffsetValue() {
			char first = this.text.charAt(0);
			return Character.isDigit(first) || "?:$@(+-".indexOf(first) >= 0;
		}

	}

	/** Splits SQL text into tokens of code, dropping whitespace and comments. */
	private static final class Tokenizer {

		private final String text;

		private final boolean mysqlSyntax;

		private final List<Token> tokens = new ArrayList<>();

		private int position;

		private int depth;

		private boolean inExecutableComment;

		Tokenizer(String text, boolean mysqlSyntax) {
			this.text = text;
			this.mysqlSyntax = mysqlSyntax;
		}

		List<Token> tokens() {
			while (this.position < this.text.length()) {
				next();
			}
			return this.tokens;
		}

		private void next() {
			int start = this.position;
			char c = this.text.charAt(start);
			if (Character.isWhitespace(c)) {
				this.position++;
			}
			else if (startsWith("--") || (this.mysqlSyntax && c == '#')) {
				int newline = this.text.indexOf('\n', start);
				this.position = (newline >= 0) ? newline + 1 : this.text.length();
			}
			else if (startsWith("/*")) {
				comment();
			}
			else if (this.inExecutableComment && startsWith("*/")) {
				this.inExecutableComment = false;
				this.position += 2;
			}
			else if (c == '\'') {
				quoted('\'', this.mysqlSyntax, start);
			}
			else if ((c == 'E' || c == 'e') && at(start + 1) == '\'' && !isWordChar(at(start - 1))) {
				this.position++;
				quoted('\'', true, start);
			}
			else if (c == '"') {
				quoted('"', this.mysqlSyntax, start);
			}
			else if (c == '`') {
				quoted('`', false, start);
			}
			else if (c == '$' && !isWordChar(at(start - 1)) && dollarTagEnd() > 0) {
				int tagEnd = dollarTagEnd();
				String tag = this.text.substring(start, tagEnd);
				int close = this.text.indexOf(tag, tagEnd);
				this.position = (close >= 0) ? close + tag.length() : this.text.length();
				add(start, false);
			}
			else if (isWordChar(c) && c != '$') {
				while (this.position < this.text.length() && isWordChar(this.text.charAt(this.position))) {
					this.position++;
				}
				add(start, true);
			}
			else {
				if (c == ')' && this.depth > 0) {
					this.depth--;
				}
				this.position++;
				add(start, false);
				if (c == '(') {
					this.depth++;
				}
			}
		}

		private void comment() {
			int afterOpening = this.position + 2;
			if (this.mysqlSyntax && (at(afterOpening) == '!' || (at(afterOpening) == 'M' && at(afterOpening + 1) == '!'))) {
				// MariaDB runs the text of /*! ... */ and /*M! ... */ (after a version) as code.
				this.position = this.text.indexOf('!', afterOpening) + 1;
				while (this.position < this.text.length() && Character.isDigit(this.text.charAt(this.position))) {
					this.position++;
				}
				this.inExecutableComment = true;
				return;
			}
			int close = this.text.indexOf("*/", afterOpening);
			this.position = (close >= 0) ? close + 2 : this.text.length();
		}

		/**
		 * Skips a quoted string or identifier. A doubled quote ({@code 'it''s'}) needs no
		 * case of its own: read as two quoted tokens in a row, it hides the same text.
		 */
		private void quoted(char quote, boolean backslashEscapes, int start) {
			int i = this.position + 1;
			while (i < this.text.length()) {
				char c = this.text.charAt(i);
				if (backslashEscapes && c == '\\') {
					i += 2;
				}
				else if (c == quote) {
					i++;
					break;
				}
				else {
					i++;
				}
			}
			this.position = Math.min(i, this.text.length());
			add(start, false);
		}

		/** The end of a dollar-quote tag ({@code $$} or {@code $tag$}) at the position, or -1. */
		private int dollarTagEnd() {
			int i = this.position + 1;
			if (i < this.text.length() && Character.isDigit(this.text.charAt(i))) {
				return -1;
			}
			while (i < this.text.length() && isWordChar(this.text.charAt(i)) && this.text.charAt(i) != '$') {
				i++;
			}
			return (at(i) == '$') ? i + 1 : -1;
		}

		private void add(int start, boolean word) {
			this.tokens.add(new Token(this.text.substring(start, this.position), this.position, this.depth, word));
		}

		private boolean startsWith(String prefix) {
			return this.text.startsWith(prefix, this.position);
		}

		private char at(int index) {
			return (index >= 0 && index < this.text.length()) ? this.text.charAt(index) : ' ';
		}

		private static boolean isWordChar(char c) {
			return Character.isLetterOrDigit(c) || c == '_' || c == '$';
		}

	}

}
