package dev.backfill.benchmarks;

import java.time.Duration;
import java.util.List;

import dev.backfill.BatchSizeMode;
import dev.backfill.MigrationListener;
import dev.backfill.SqlMigration;
import dev.backfill.internal.runner.MigrationTarget;
import dev.backfill.internal.settings.MigrationSettings;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Variants 10 and 10f: the backfill as a {@link SqlMigration} ({@code IN (:keys)}) on rows
 * whose cost varies across the key space: the table is cut into ten stripes of ids, and
 * in every other one the update computes {@value #HEAVY_DIGESTS} MD5 digests per row
 * before writing the same value, several times a light row's work (the warm-up measures
 * the ratio: see the report). Variant 10 runs with the adaptive batch size aiming at
 * {@link #TARGET}; 10f, its twin, with the fixed batch size.
 */
final class AdaptiveVariant implements Variant {

	/** The adaptive variant's target batch duration. */
	static final Duration TARGET = Duration.ofMillis(50);

	/**
	 * MD5 digests computed per row of a heavy stripe: 12 made a heavy batch 2.6× a light one
	 * (measured, 2026-12-01), so about 66 for the 10× of the target.
	 */
	static final int HEAVY_DIGESTS = 66;

	private final boolean adaptive;

	AdaptiveVariant(boolean adaptive) {
		this.adaptive = adaptive;
	}

	@Override
	public String id() {
		return this.adaptive ? "10" : "10f";
	}

	@Override
	public String title() {
		return this.adaptive
				? "starter, SqlMigration, adaptive batch size (target " + TARGET.toMillis()
						+ " ms) on rows whose cost varies by stripe of ids"
				: "as 10, fixed batch size";
	}

	@Override
	public String twin() {
		return this.adaptive ? "10f" : null;
	}

	@Override
	public int rows(BenchmarkOptions options) {
		return options.rows();
	}

	@Override
	public void prepare(JdbcTemplate jdbc) {
		jdbc.update("DELETE FROM " + StarterVariant.TRACKING_TABLE);
	}

	@Override
	public void run(RunContext context) {
		SqlMigration migration = SqlMigrationVariant.migration(context.table(), costlyDomainSql(context.rows()),
				"id IN (:keys)");
		MigrationSettings settings = new MigrationSettings("email_domain_" + id(), true, context.batchSize(),
				Duration.ZERO, List.of("id"), true, null, null, this.adaptive ? BatchSizeMode.ADAPTIVE : BatchSizeMode.FIXED,
				TARGET, 10, 1_000_000);
		StarterVariant.requireCompleted(StarterVariant.run(context,
				(database) -> MigrationTarget.of(migration, settings, database), MigrationListener.NONE));
	}

	/**
	 * The domain, as {@link BenchTable#DOMAIN_SQL}, computed after {@value #HEAVY_DIGESTS}
	 * digests of the row in the odd tenths of the ids.
	 */
	static String costlyDomainSql(int rows) {
		long stripe = Math.max(1, rows / 10);
		return "CASE WHEN ((id - 1) / " + stripe + ") % 2 = 0 OR length((SELECT string_agg(md5(email || g), '') "
				+ "FROM generate_series(1, " + HEAVY_DIGESTS + ") AS g)) > 0 THEN " + BenchTable.DOMAIN_SQL + " END";
	}

}
