package dev.backfill.internal.runner;

import java.math.BigDecimal;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * How a key is saved in the checkpoint and read back: a key of one column exactly as
 * before composite keys (so checkpoints saved then resume), a composite key as a JSON
 * array whatever its text parts hold.
 */
class KeyTests {

	private static final Key TENANT_AND_CODE = new Key("orders", List.of("tenant_id", "code"),
			List.of(KeyType.INTEGER, KeyType.TEXT));

	@Test
	void keyOfOneColumnIsSavedAsItsTextAlone() {
		assertThat(single(KeyType.INTEGER).format(KeyValue.of(42L))).isEqualTo("42");
		assertThat(single(KeyType.DECIMAL).format(KeyValue.of(new BigDecimal("1E+3")))).isEqualTo("1000");
		assertThat(single(KeyType.TEXT).format(KeyValue.of("[\"a\",1]"))).isEqualTo("[\"a\",1]");
		UUID uuid = new UUID(1, 2);
		assertThat(single(KeyType.UUID).format(KeyValue.of(uuid))).isEqualTo(uuid.toString());
		assertThat(single(KeyType.TEXT).parse("[\"a\",1]")).isEqualTo(KeyValue.of("[\"a\",1]"));
		assertThat(single(KeyType.INTEGER).parse("42")).isEqualTo(KeyValue.of(42L));
	}

	@Test
	void compositeKeyIsAJsonArrayWithNumbersBareAndTextAsStrings() {
		Key key = new Key("orders", List.of("region", "tenant_id", "amount", "uid"),
				List.of(KeyType.TEXT, KeyType.INTEGER, KeyType.DECIMAL, KeyType.UUID));
		KeyValue value = KeyValue.of("eu", 7L, new BigDecimal("2.50"), new UUID(0, 1));
		String text = key.format(value);
		assertThat(text).isEqualTo("[\"eu\",7,2.50,\"00000000-0000-0000-0000-000000000001\"]");
		assertThat(key.parse(text)).isEqualTo(value);
	}

	@Test
	void textPartsHoldingAnythingReadBackAsTheyWere() {
		for (String code : List.of("a, b", "it's", "say \"hi\"", "back\\slash", "[1,2]", "", " ", "line\nbreak\ttab",
				"\u0001\u001f", "caf\u00e9 \u65e5\u672c", "\\u0041", "],[\"")) {
			KeyValue value = KeyValue.of(7L, code);
			assertThat(TENANT_AND_CODE.parse(TENANT_AND_CODE.format(value))).as(code).isEqualTo(value);
		}
		assertThat(TENANT_AND_CODE.format(KeyValue.of(7L, "say \"hi\", \\o/")))
			.isEqualTo("[7,\"say \\\"hi\\\", \\\\o/\"]");
	}

	@Test
	void checkpointSavedWithOtherKeyColumnsIsRefusedNamingTheKey() {
		for (String checkpoint : List.of("42", "[7]", "[7,\"a\",1]", "[\"x\",\"a\"]", "[7,\"a\"] tail", "[7,\"a")) {
			assertThatExceptionOfType(InvalidMigrationException.class).as(checkpoint)
				.isThrownBy(() -> TENANT_AND_CODE.parse(checkpoint))
				.withMessageStartingWith("Checkpoint " + checkpoint + " of migration 'orders' is not a key of key "
						+ "(tenant_id, code): ");
		}
	}

	@Test
	void keyWhoseCheckpointWouldNotFitTheTrackingTableIsRefused() {
		KeyValue value = KeyValue.of(7L, "x".repeat(Key.MAX_CHECKPOINT_LENGTH));
		assertThatExceptionOfType(InvalidMigrationException.class).isThrownBy(() -> TENANT_AND_CODE.format(value))
			.withMessageContaining("of migration 'orders' takes 1006 characters as a checkpoint; the tracking "
					+ "table's last_key holds 1000");
		assertThat(single(KeyType.TEXT).format(KeyValue.of("x".repeat(1000)))).hasSize(1000);
	}

	@Test
	void messagesShowACompositeKeyAsARowValue() {
		assertThat(KeyValue.of(7L, "it's", new BigDecimal("1E+2"))).hasToString("(7, 'it''s', 100)");
		assertThat(KeyValue.of("it's")).hasToString("it's");
	}

	private static Key single(KeyType type) {
		return new Key("orders", List.of("id"), List.of(type));
	}

}
