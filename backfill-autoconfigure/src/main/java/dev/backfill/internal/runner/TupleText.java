package dev.backfill.internal.runner;

import java.util.ArrayList;
import java.util.List;

/**
 * The checkpoint text of a composite key: a JSON array of its parts in key order, numbers
 * bare and other parts (text, UUIDs) as JSON strings, such as {@code [7,"acme, inc."]}.
 * Unambiguous whatever a text part holds (commas, quotes, brackets, backslashes), and
 * readable where the checkpoint is shown. Each part is read back as text and typed by its
 * column.
 */
final class TupleText {

	private TupleText() {
	}

	/**
	 * Writes a tuple.
	 * @param parts the text of each part
	 * @param numbers for each part, whether it is a number, written bare
	 * @return the JSON array
	 */
	static String write(List<String> parts, List<Boolean> numbers) {
		StringBuilder json = new StringBuilder("[");
		for (int i = 0; i < parts.size(); i++) {
			if (i > 0) {
				json.append(',');
			}
			if (numbers.get(i)) {
				json.append(parts.get(i));
			}
			else {
				appendString(json, parts.get(i));
			}
		}
		return json.append(']').toString();
	}

	private static void appendString(StringBuilder json, String text) {
		json.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				default -> {
					if (c < 0x20) {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		json.append('"');
	}

	/**
	 * Reads a tuple.
	 * @param text a JSON array of strings and numbers
	 * @return the text of each part
	 * @throws IllegalArgumentException if the text is not such an array
	 */
	static List<String> read(String text) {
		return new Reader(text).array();
	}

	private static final class Reader {

		private final String text;

		private int position;

		Reader(String text) {
			this.text = text;
		}

		List<String> array() {
			List<String> parts = new ArrayList<>();
			expect('[');
			do {
				skipWhitespace();
				parts.add((peek() == '"') ? string() : number());
				skipWhitespace();
			}
			while (tryRead(','));
			expect(']');
			skipWhitespace();
			if (this.position != this.text.length()) {
				throw invalid("text after the array");
			}
			return parts;
		}

		private String string() {
			StringBuilder value = new StringBuilder();
			this.position++;
			while (true) {
				char c = next();
				if (c == '"') {
					return value.toString();
				}
				if (c != '\\') {
					value.append(c);
					continue;
				}
				char escaped = next();
				switch (escaped) {
					case '"', '\\', '/' -> value.append(escaped);
					case 'b' -> value.append('\b');
					case 'f' -> value.append('\f');
					case 'n' -> value.append('\n');
					case 'r' -> value.append('\r');
					case 't' -> value.append('\t');
					case 'u' -> {
						if (this.position + 4 > this.text.length()) {
							throw invalid("a \\u escape cut short");
						}
						value.append((char) Integer.parseInt(this.text.substring(this.position, this.position + 4), 16));
						this.position += 4;
					}
					default -> throw invalid("the escape \\" + escaped);
				}
			}
		}

		private String number() {
			int start = this.position;
			while (this.position < this.text.length() && "+-.0123456789eE".indexOf(peek()) >= 0) {
				this.position++;
			}
			if (start == this.position) {
				throw invalid("a part that is neither a string nor a number");
			}
			return this.text.substring(start, this.position);
		}

		private void expect(char c) {
			skipWhitespace();
			if (!tryRead(c)) {
				throw invalid("no '" + c + "' at offset " + this.position);
			}
		}

		private boolean tryRead(char c) {
			if (this.position < this.text.length() && peek() == c) {
				this.position++;
				return true;
			}
			return false;
		}

		private char next() {
			if (this.position >= this.text.length()) {
				throw invalid("an unterminated string");
			}
			return this.text.charAt(this.position++);
		}

		private char peek() {
			return (this.position < this.text.length()) ? this.text.charAt(this.position) : ' ';
		}

		private void skipWhitespace() {
			while (this.position < this.text.length() && Character.isWhitespace(peek())) {
				this.position++;
			}
		}

		private IllegalArgumentException invalid(String problem) {
			return new IllegalArgumentException("not a JSON array of strings and numbers: " + problem);
		}

	}

}
