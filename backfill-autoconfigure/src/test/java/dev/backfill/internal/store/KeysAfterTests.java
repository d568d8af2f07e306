package dev.backfill.internal.store;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The condition of the rows after a checkpoint, per dialect, and how it is bound. */
class KeysAfterTests {

	private static final List<String> THREE = List.of("a", "b", "c");

	@Test
	void keyOfOneColumnIsOneComparisonOnEveryDatabase() {
		for (String product : List.of("PostgreSQL", "MariaDB", "H2")) {
			KeysAfter after = SqlDialect.forProductName(product).keysAfter(List.of("t.id"));
			assertThat(after.sql()).as(product).isEqualTo("t.id > ?");
			assertThat(after.parameters(List.of(42L))).containsExactly(42L);
		}
	}

	@Test
	void postgresAndH2CompareRowValues() {
		for (String product : List.of("PostgreSQL", "H2")) {
			KeysAfter after = SqlDialect.forProductName(product).keysAfter(THREE);
			assertThat(after.sql()).as(product).isEqualTo("(a, b, c) > (?, ?, ?)");
			assertThat(after.parameters(List.of(1, 2, 3))).containsExactly(1, 2, 3);
		}
	}

	@Test
	void mariaDbSpellsTheComparisonOutBoundedByTheFirstColumn() {
		KeysAfter after = SqlDialect.forProductName("MariaDB").keysAfter(THREE);
		assertThat(after.sql()).isEqualTo("a >= ? AND (a > ? OR (a = ? AND b > ?) OR (a = ? AND b = ? AND c > ?))");
		assertThat(after.parameters(List.of(1, 2, 3))).containsExactly(1, 1, 1, 2, 1, 2, 3);
	}

	@Test
	void aChunksBoundsAreRowValueComparisonsOnPostgresAndH2() {
		for (String product : List.of("PostgreSQL", "H2")) {
			SqlDialect dialect = SqlDialect.forProductName(product);
			assertThat(dialect.keysCompared(THREE, KeysAfter.Comparison.FROM).sql()).as(product)
				.isEqualTo("(a, b, c) >= (?, ?, ?)");
			assertThat(dialect.keysCompared(THREE, KeysAfter.Comparison.BEFORE).sql()).as(product)
				.isEqualTo("(a, b, c) < (?, ?, ?)");
			assertThat(dialect.keysCompared(List.of("t.id"), KeysAfter.Comparison.FROM).sql()).isEqualTo("t.id >= ?");
			assertThat(dialect.keysCompared(List.of("t.id"), KeysAfter.Comparison.BEFORE).sql()).isEqualTo("t.id < ?");
		}
	}

	@Test
	void mariaDbSpellsAChunksBoundsOutWithOnlyTheLastColumnTakingTheBoundsOwnComparison() {
		SqlDialect dialect = SqlDialect.forProductName("MariaDB");
		KeysAfter from = dialect.keysCompared(THREE, KeysAfter.Comparison.FROM);
		assertThat(from.sql()).isEqualTo("a >= ? AND (a > ? OR (a = ? AND b > ?) OR (a = ? AND b = ? AND c >= ?))");
		assertThat(from.parameters(List.of(1, 2, 3))).containsExactly(1, 1, 1, 2, 1, 2, 3);
		KeysAfter before = dialect.keysCompared(THREE, KeysAfter.Comparison.BEFORE);
		assertThat(before.sql()).isEqualTo("a <= ? AND (a < ? OR (a = ? AND b < ?) OR (a = ? AND b = ? AND c < ?))");
		assertThat(before.parameters(List.of(1, 2, 3))).containsExactly(1, 1, 1, 2, 1, 2, 3);
		assertThat(dialect.keysCompared(List.of("t.id"), KeysAfter.Comparison.BEFORE).sql()).isEqualTo("t.id < ?");
	}

}
