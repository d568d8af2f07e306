package dev.backfill.internal.runner;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** The checks on each batch's keys, on rows as the batch query returns them. */
class KeyRulesTests {

	private static final Predicate<KeyValue> NEVER_ASKED = (key) -> {
		throw new AssertionError("the database was asked about " + key);
	};

	private final KeyRules rules = new KeyRules("byGroup", List.of("grp"));

	@Test
	void duplicateInsideTheBatchFailsNamingMigrationColumnValueAndBatch() {
		assertThatExceptionOfType(InvalidMigrationException.class)
			.isThrownBy(() -> this.rules.check(rows(1L, 2L, 2L, 3L), 3, key(KeyType.INTEGER), 4, NEVER_ASKED))
			.withMessage("Key column 'grp' of migration 'byGroup' is not unique: value 2 occurs more than once "
					+ "(in batch 4); backfill needs a unique, not-null key to walk the table without skipping rows");
	}

	@Test
	void lastKeySharedWithThePeekRowFails() {
		assertThatExceptionOfType(InvalidMigrationException.class)
			.isThrownBy(() -> this.rules.check(rows(1L, 2L, 3L, 3L), 3, key(KeyType.INTEGER), 1, NEVER_ASKED))
			.withMessageContaining("value 3 occurs more than once (in batch 1)");
	}

	@Test
	void decimalsEqualInValueButNotInScaleAreOneKey() {
		assertThatExceptionOfType(InvalidMigrationException.class)
			.isThrownBy(() -> this.rules.check(rows(new BigDecimal("1.5"), new BigDecimal("1.50")), 1,
					key(KeyType.DECIMAL), 1, NEVER_ASKED))
			.withMessageContaining("value 1.5");
	}

	@Test
	void uniqueKeysPassWithoutAskingTheDatabase() {
		UUID a = new UUID(0, 1);
		UUID b = new UUID(0, 2);
		assertThatNoException().isThrownBy(() -> {
			this.rules.check(rows(1L, 2L, 3L, 4L), 3, key(KeyType.INTEGER), 1, NEVER_ASKED);
			this.rules.check(rows(a, b), 1, key(KeyType.UUID), 1, NEVER_ASKED);
			this.rules.check(rows("apple", "banana"), 2, key(KeyType.TEXT), 1, NEVER_ASKED);
			this.rules.check(rows(new BigDecimal("1.5"), new BigDecimal("1.51")), 1, key(KeyType.DECIMAL), 1,
					NEVER_ASKED);
		});
	}

	@Test
	void textKeysAtTheBatchBoundaryAreLeftToTheDatabaseWhateverTheirSpelling() {
		List<String> asked = new ArrayList<>();
		Predicate<KeyValue> databaseSaysEqual = (key) -> asked.add(key.toString());
		for (String[] pair : new String[][] { { "a", "A" }, { "Resume", "résumé" }, { "x", "x  " }, { "ss", "ß" },
				{ "apple", "banana" } }) {
			assertThatExceptionOfType(InvalidMigrationException.class)
				.isThrownBy(() -> this.rules.check(rows("0", pair[0], pair[1]), 2, key(KeyType.TEXT), 2,
						databaseSaysEqual))
				.withMessageContaining("value " + pair[0] + " occurs more than once (in batch 2)");
		}
		assertThat(asked).containsExactly("a", "Resume", "x", "ss", "apple");
	}

	@Test
	void textKeysTheDatabaseTellsApartPass() {
		AtomicInteger asked = new AtomicInteger();
		assertThatNoException().isThrownBy(
				() -> this.rules.check(rows("a", "A"), 1, key(KeyType.TEXT), 1, (key) -> asked.incrementAndGet() < 0));
		assertThat(asked).hasValue(1);
	}

	@Test
	void caseVariantsInsideTheBatchPassSinceNoRowIsSkipped() {
		assertThatNoException().isThrownBy(() -> this.rules.check(rows("a", "A", "b"), 3, key(KeyType.TEXT), 1,
				NEVER_ASKED));
	}

	@Test
	void nullKeyFailsNamingMigrationAndColumnWhereverItSorts() {
		for (List<Map<String, Object>> rows : List.of(rows(null, 1L, 2L), rows(1L, 2L, null), rows(1L, null))) {
			assertThatExceptionOfType(InvalidMigrationException.class)
				.isThrownBy(() -> this.rules.check(rows, 2, key(KeyType.INTEGER), 1, NEVER_ASKED))
				.withMessage("Migration 'byGroup' has rows whose key column 'grp' is NULL; backfill needs a unique, "
						+ "not-null key to walk the table without skipping rows")
				.satisfies((ex) -> assertThat(ex.getAction())
					.isEqualTo("Give those rows a key, or leave them out of the base query (WHERE grp IS NOT NULL)."));
		}
	}

	@Test
	void compositeKeysDifferingInTheirLastPartPassAndEqualTuplesFail() {
		KeyRules tenantRules = new KeyRules("orders", List.of("tenant_id", "id"));
		Key key = new Key("orders", List.of("tenant_id", "id"), List.of(KeyType.INTEGER, KeyType.INTEGER));
		assertThatNoException()
			.isThrownBy(() -> tenantRules.check(tuples(1L, 1L, 1L, 2L, 2L, 1L), 2, key, 1, NEVER_ASKED));
		assertThatExceptionOfType(InvalidMigrationException.class)
			.isThrownBy(() -> tenantRules.check(tuples(1L, 1L, 1L, 2L, 1L, 2L), 2, key, 3, NEVER_ASKED))
			.withMessage("Key (tenant_id, id) of migration 'orders' is not unique: value (1, 2) occurs more than once "
					+ "(in batch 3); backfill needs a unique, not-null key to walk the table without skipping rows");
	}

	@Test
	void compositeKeyWithATextPartAsksTheDatabaseAboutTheWholeLastTuple() {
		KeyRules tenantRules = new KeyRules("orders", List.of("tenant_id", "code"));
		Key key = new Key("orders", List.of("tenant_id", "code"), List.of(KeyType.INTEGER, KeyType.TEXT));
		List<KeyValue> asked = new ArrayList<>();
		assertThatExceptionOfType(InvalidMigrationException.class)
			.isThrownBy(() -> tenantRules.check(tuples(1L, "a", 1L, "A"), 1, key, 1, asked::add))
			.withMessageContaining("value (1, 'a') occurs more than once");
		assertThat(asked).containsExactly(KeyValue.of(1L, "a"));
	}

	@Test
	void nullInAnyPartOfACompositeKeyFails() {
		KeyRules tenantRules = new KeyRules("orders", List.of("tenant_id", "id"));
		Key key = new Key("orders", List.of("tenant_id", "id"), List.of(KeyType.INTEGER, KeyType.INTEGER));
		for (List<Map<String, Object>> rows : List.of(tuples(1L, 1L, 1L, null), tuples(null, 1L, 1L, 2L))) {
			assertThatExceptionOfType(InvalidMigrationException.class)
				.isThrownBy(() -> tenantRules.check(rows, 5, key, 1, NEVER_ASKED))
				.withMessage("Migration 'orders' has rows whose key (tenant_id, id) has a NULL part; backfill needs a "
						+ "unique, not-null key to walk the table without skipping rows")
				.satisfies((ex) -> assertThat(ex.getAction()).isEqualTo("Give those rows a key, or leave them out of "
						+ "the base query (WHERE tenant_id IS NOT NULL AND id IS NOT NULL)."));
		}
	}

	/** Rows of a key's two parts, given in pairs. */
	private static List<Map<String, Object>> tuples(Object... parts) {
		List<Map<String, Object>> rows = new ArrayList<>();
		for (int i = 0; i < parts.length; i += 2) {
			Map<String, Object> row = new HashMap<>();
			row.put("tenant_id", parts[i]);
			row.put((parts[i + 1] instanceof String) ? "code" : "id", parts[i + 1]);
			rows.add(row);
		}
		return rows;
	}

	private static Key key(KeyType type) {
		return new Key("byGroup", List.of("grp"), List.of(type));
	}

	private static List<Map<String, Object>> rows(Object... keys) {
		return Arrays.stream(keys).map((key) -> {
			Map<String, Object> row = new HashMap<>();
			row.put("grp", key);
			return row;
		}).toList();
	}

}
