package dev.backfill.internal.runner;

import java.math.BigDecimal;
import java.sql.Types;
import java.util.UUID;
import java.util.function.Function;

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
	static KeyType of(int sqlType, String className) {
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
	 * The key value of a checkpoint text.
	 * @param text the checkpoint text, or {@code null}
	 * @return the value to bind, or {@code null}
	 */
	Object parse(String text) {
		return (text != null) ? this.parser.apply(text) : null;
	}

}
