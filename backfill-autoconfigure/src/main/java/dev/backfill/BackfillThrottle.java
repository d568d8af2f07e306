package dev.backfill;

/**
 * Asked before each batch whether the migration may go on now, so that a backfill backs
 * off while the database (or anything it depends on) is strained. Every
 * {@code BackfillThrottle} bean is asked, in {@code @Order}/{@code Ordered} order; the
 * first that answers {@link ThrottleDecision#waitFor wait} wins (those after it are not
 * asked), the runner waits that long between batches, holding no transaction, and then
 * asks all of them again. The batch runs once every throttle answers
 * {@link ThrottleDecision#go() go}.
 * <p>
 * Implementations are called on the migration's worker thread and should answer quickly:
 * cache what is costly to find out (the built-in throttles ask their source at most once
 * per {@code backfill.throttle-on.check-interval}). A throttle that throws fails the
 * migration, which resumes from its checkpoint on the next start: backfill never goes on
 * without an answer.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface BackfillThrottle {

	/**
	 * Decides whether the migration's next batch may run now.
	 * @param context the migration and its recent batches
	 * @return {@link ThrottleDecision#go()} or {@link ThrottleDecision#waitFor}
	 */
	ThrottleDecision decide(ThrottleContext context);

}
