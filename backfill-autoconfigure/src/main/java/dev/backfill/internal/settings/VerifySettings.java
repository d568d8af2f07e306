package dev.backfill.internal.settings;

import org.jspecify.annotations.Nullable;

/**
 * What a migration does when its cursor reaches the end of a pass: count the rows its
 * base query still returns (rows inserted behind the cursor meanwhile), and, with
 * {@code sweep}, run further passes from the first key until a pass leaves none, at most
 * {@code maxPasses} in all.
 *
 * @param enabled whether to count the rows left at the end of each pass
 * @param sweep whether to run another pass while rows are left; needs {@code enabled}
 * @param maxPasses the most passes a sweep runs, the first included; at least 1
 *
 * @since 0.1.0
 */
public record VerifySettings(boolean enabled, boolean sweep, int maxPasses) {

	/** Count the rows left, no sweep: the {@code backfill.*} properties' defaults. */
	public static final VerifySettings DEFAULTS = new VerifySettings(true, false, 3);

	/**
	 * Checks the values, which may be merged from different levels.
	 * @throws IllegalArgumentException if {@code maxPasses} is below 1
	 */
	public VerifySettings {
		Setting.MAX_PASSES.requireValid(maxPasses);
	}

	/**
	 * Whether another pass follows one that left rows behind.
	 * @param pass the pass that ended, from 1
	 * @param remaining the rows it left, or {@code null} when not counted
	 * @return whether to start pass {@code pass + 1}
	 */
	public boolean passAgain(int pass, @Nullable Long remaining) {
		return this.sweep && remaining != null && remaining > 0 && pass < this.maxPasses;
	}

}
