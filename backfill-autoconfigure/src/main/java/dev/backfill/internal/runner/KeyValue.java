package dev.backfill.internal.runner;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

/**
 * The key of one row: its value of each key column, in key order; one value for a key of
 * one column. Shown in messages as that value ({@code 42}) or, for a composite key, as a
 * row value ({@code (7, 'acme')}).
 *
 * @param parts the values, none of them {@code null}
 */
record KeyValue(List<Object> parts) {

	KeyValue {
		parts = List.copyOf(parts);
	}

	static KeyValue of(Object... parts) {
		return new KeyValue(List.of(parts));
	}

	@Override
	public String toString() {
		if (this.parts.size() == 1) {
			return text(this.parts.get(0), false);
		}
		StringBuilder text = new StringBuilder("(");
		for (int i = 0; i < this.parts.size(); i++) {
			text.append((i > 0) ? ", " : "").append(text(this.parts.get(i), true));
		}
		return text.append(')').toString();
	}

	/** A part as written in messages: text quoted as a SQL literal inside a row value. */
	private static String text(Object part, boolean quoted) {
		if (part instanceof BigDecimal decimal) {
			return decimal.toPlainString();
		}
		if (quoted && (part instanceof String || part instanceof UUID)) {
			return "'" + part.toString().replace("'", "''") + "'";
		}
		return part.toString();
	}

}
