package dev.backfill.internal.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements of a dialect's schema script ({@code dev/backfill/schema-*.sql}), the one
 * place the tables' DDL is written, with the default table name replaced by the configured
 * one. The script holds only {@code CREATE TABLE IF NOT EXISTS} statements, each ending in
 * {@code ;}, and {@code --} comment lines.
 *
 * @param statements the statements, in order
 * @param tables the table each statement creates, in the same order
 * @since 0.1.0
 */
public record SchemaScript(List<String> statements, List<String> tables) {

	/** The tracking table's name in the scripts. */
	public static final String DEFAULT_TABLE = "backfill_migrations";

	private static final Pattern DEFAULT_NAME = Pattern.compile("\\b" + DEFAULT_TABLE + "(\\w*)");

	private static final Pattern CREATED_TABLE = Pattern.compile("CREATE TABLE IF NOT EXISTS (\\w+)");

	/**
	 * Reads a dialect's script for a tracking table.
	 * @param dialect the dialect
	 * @param table the tracking table's name; the tables named after it ({@code <table>_chunks})
	 * follow it
	 * @return the statements
	 */
	public static SchemaScript of(SqlDialect dialect, String table) {
		String text = resource(dialect.schemaScript());
		List<String> statements = new ArrayList<>();
		List<String> tables = new ArrayList<>();
		StringBuilder uncommented = new StringBuilder();
		for (String line : text.split("\n")) {
			if (!line.strip().startsWith("--")) {
				uncommented.append(line).append('\n');
			}
		}
		for (String statement : uncommented.toString().split(";")) {
			if (statement.isBlank()) {
				continue;
			}
			String renamed = DEFAULT_NAME.matcher(statement.strip())
				.replaceAll((match) -> Matcher.quoteReplacement(table + match.group(1)));
			Matcher created = CREATED_TABLE.matcher(renamed);
			if (!created.find()) {
				throw new IllegalStateException("Schema script " + dialect.schemaScript()
						+ " holds a statement that is not CREATE TABLE IF NOT EXISTS: " + renamed);
			}
			statements.add(renamed);
			tables.add(created.group(1));
		}
		return new SchemaScript(List.copyOf(statements), List.copyOf(tables));
	}

	/**
	 * The text of a script as shipped, for users who copy it.
	 * @param fileName the script's file name, such as {@code schema-postgresql.sql}
	 * @return its text
	 */
	public static String resource(String fileName) {
		try (InputStream in = SchemaScript.class.getResourceAsStream("/dev/backfill/" + fileName)) {
			if (in == null) {
				throw new IllegalStateException("Schema script dev/backfill/" + fileName + " is missing from the jar");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
