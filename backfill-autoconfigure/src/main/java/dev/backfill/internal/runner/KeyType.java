package dev.backfill.internal.runner;

import java.math.BigDecimal;
import java.sql.Types;
import java.util.UUID;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * How a key column's values are saved in the checkpoint (as text) and read back with the
 * Java type the JDBC driver binds as the column's own type.
 */
enum KeyType {

	INTEGER(Long::valueOf), DECIMAL(BigDecimal::new), UUID(java.util.UUID::fromString), TEXT((text) -> text);

	private final Function<String, Object> parser;

	KeyType(Function<String, Object> parser) {
		this.parser = parser;
	}

	/**
	 * The key type of a result set column.
	 * @param sqlType its {@link Types} code
	 * @param className its Java class name as the driver reports it
	 * @return the key type, or {@code null} if keys of that type are not supported
	 */
	static @Nullable KeyType of(int sqlType, @Nullable String className) {
		if (UUID.class.getName().equals(className)) {
			return UUID;
		}
		return switch (sqlType) {
			case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> INTEGER;
			case Types.NUMERIC, Types.DECIMAL -> DECIMAL;
			case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR -> TEXT;
			default -> null;
		};
	}

	/**
	 * The checkpoint text of a key value.
	 * @param key a value of the key column
	 * @return its text
	 */
	String format(Object key) {
		return (key instanceof BigDecimal decimal) ? decimal.toPlainString() : key.toString();
	}

	/**
	 * Whether two values of the key column are the same key as Java sees them; for
	 * decimals regardless of scale ({@code 1.0} and {@code 1.00} are the same).
	 * @param a a value of the key column
	 * @param b another value of the key column
	 * @return whether they are equal
	 */
	boolean same(Object a, Object b) {
		if (this == DECIMAL && a instanceof BigDecimal x && b instanceof BigDecimal y) {
			return x.compareTo(y) == 0;
		}
		return a.equals(b);
	}

	/**
	 * Whether {@link #same} tells exactly what the database's {@code =} and {@code >}
	 * tell. Not for text: a collation may make different strings one key (case- or
	 * accent-insensitive ones such as MariaDB's default {@code utf8mb4_general_ci}, where
	 * {@code 'a' = 'A'} and {@code 'ß' = 's'}; Unicode ones where {@code 'ß' = 'ss'};
	 * trailing spaces), which only the database can tell.
	 * @return whether Java's comparison of two keys is the database's
	 */
	boolean comparesExactly() {
		return this != TEXT;
	}

	/**
	 * Whether the checkpoint text of a value is a number (written bare in a composite
	 * key's JSON array, other types as strings).
	 * @return {@code true} for integers and decimals
	 */
	boolean isNumber() {
		return this == INTEGER || this == DECIMAL;
	}

	/**
	 * The key value of a checkpoint text.
	 * @param text the checkpoint text, or {@code null}
	 * @return the value to bind, or {@code null}
	 */
	@Nullable Object parse(@Nullable String text) {
		return (text != null) ? this.parser.apply(text) : null;
	}

}
