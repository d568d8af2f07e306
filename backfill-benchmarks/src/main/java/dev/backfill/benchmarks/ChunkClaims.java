package dev.backfill.benchmarks;

import java.util.Map;
import java.util.function.Predicate;

/**
 * What claiming chunks cost in a run in parallel chunks, from the statements a
 * {@link StatementLog} counted: each claim is a read of the migration's status, a
 * {@code SELECT … FOR UPDATE SKIP LOCKED} of a free chunk, the conditioned {@code UPDATE}
 * taking it and a read of the chunk taken (and the claim's commit). A claim that finds no
 * chunk left ends its worker; a claim {@code UPDATE} that changes no row lost the chunk to
 * another worker, which is the contention {@code SKIP LOCKED} is there to avoid. Workers
 * completing chunks at once queue on the migration's tracking row, whose counts each
 * completion adds to: the mean wait of that {@code UPDATE} beside the chunks' own
 * checkpoint {@code UPDATE} shows that queue (where the checkpoint is a statement of its
 * own: on PostgreSQL a SqlMigration's rides in its batch's one statement).
 *
 * @param claims chunks claimed
 * @param emptyClaims claims that found no free chunk
 * @param lostClaims claim {@code UPDATE}s that changed no row
 * @param statements the claims' statements, their commits not counted
 * @param claimNanos time spent waiting for the claims' statements
 * @param completionNanos mean wait of the {@code UPDATE} adding a completed chunk's counts to
 * the tracking row
 * @param checkpointNanos mean wait of a chunk's checkpoint {@code UPDATE}; NaN where none ran as a
 * statement of its own (a one-statement batch's rides in it)
 */
record ChunkClaims(long claims, long emptyClaims, long lostClaims, long statements, long claimNanos,
		double completionNanos, double checkpointNanos) {

	private static final Predicate<String> STATUS = (sql) -> sql.startsWith("SELECT status FROM ");

	private static final Predicate<String> CANDIDATES = (sql) -> sql.startsWith("SELECT chunk FROM ")
			&& sql.contains("_chunks");

	private static final Predicate<String> CLAIM = (sql) -> sql.startsWith("UPDATE ")
			&& sql.contains("_chunks SET status = 'RUNNING'");

	private static final Predicate<String> FIND = (sql) -> sql.startsWith("SELECT migration, chunk")
			&& sql.endsWith("AND chunk = ?");

	private static final Predicate<String> COMPLETION = (sql) -> sql.startsWith("UPDATE ")
			&& sql.contains(" SET rows_processed = rows_processed + ?");

	private static final Predicate<String> CHECKPOINT = (sql) -> sql.startsWith("UPDATE ")
			&& sql.contains("_chunks SET last_key = ?");

	/**
	 * The claims of a run, or {@code null} if it claimed none (it ran without chunks).
	 * @param log the run's statements
	 * @return the figures
	 */
	static ChunkClaims of(StatementLog log) {
		Map<String, Long> counts = log.countsBySql();
		Map<String, Long> nanos = log.nanosBySql();
		long updates = sum(counts, CLAIM);
		if (updates == 0) {
			return null;
		}
		long lost = sum(log.unchangedBySql(), CLAIM);
		long candidates = sum(counts, CANDIDATES);
		Predicate<String> claimStatement = STATUS.or(CANDIDATES).or(CLAIM).or(FIND);
		return new ChunkClaims(updates - lost, candidates - updates, lost, sum(counts, claimStatement),
				sum(nanos, claimStatement), mean(nanos, counts, COMPLETION), mean(nanos, counts, CHECKPOINT));
	}

	/** Statements per chunk claimed. */
	double statementsPerClaim() {
		return (double) this.statements / Math.max(1, this.claims);
	}

	/** Mean wait per claim, all its statements together. */
	double millisPerClaim() {
		return this.claimNanos / 1e6 / Math.max(1, this.claims);
	}

	private static long sum(Map<String, Long> values, Predicate<String> which) {
		return values.entrySet().stream().filter((entry) -> which.test(entry.getKey()))
			.mapToLong(Map.Entry::getValue).sum();
	}

	private static double mean(Map<String, Long> nanos, Map<String, Long> counts, Predicate<String> which) {
		long count = sum(counts, which);
		return (count == 0) ? Double.NaN : (double) sum(nanos, which) / count;
	}

}
