package dev.backfill.chunks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import dev.backfill.BackfillMode;
import dev.backfill.MigrationListener;
import dev.backfill.internal.runner.MigrationResult;
import dev.backfill.testsupport.TestDatabase;
import dev.backfill.testsupport.TestSchema;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A migration keyed by {@code (tenant_id, id)} with {@code parallelism} above 1: its
 * tuples split at boundaries sampled in the order of both columns, a tenant's rows
 * crossing chunk boundaries, each row migrated once; a worker whose chunk lease is taken
 * mid-batch has that batch refused and the chunk resumes from its tuple checkpoint.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CompositeKeyChunksTests {

	private static final Duration LEASE = Duration.ofSeconds(2);

	private static final List<String> KEY = List.of("tenant_id", "id");

	/**
	 * Uneven tenants, 3,000 rows: tenant 1 spans the first four chunk boundaries, tenant 4
	 * has one row.
	 */
	private static final int[] UNEVEN_TENANTS = { 1100, 7, 650, 1, 40, 1202 };

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void compositeKeysAreSplitAtSampledTuplesAndEachRowIsMigratedOnce(TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			List<int[]> tuples = createOrders(jdbc, UNEVEN_TENANTS);
			Queue<ChunkedInstance.Attempt> attempts = new ConcurrentLinkedQueue<>();
			try (ChunkedInstance instance = new ChunkedInstance(schema, "orders_c", KEY, 3, 100, LEASE, attempts,
					MigrationListener.NONE)) {
				MigrationResult result = instance.start(BackfillMode.BLOCKING).awaitResult(Duration.ofSeconds(120));
				assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.COMPLETED);
				assertThat(result.rows()).isEqualTo(3000);
			}
			ParallelChunksTests.assertEveryRowMigratedOnce(jdbc, "orders_c", 3000);
			List<Map<String, Object>> chunks = ParallelChunksTests.chunks(jdbc);
			// 3 workers, 4 chunks each: every 250th tuple in (tenant_id, id) order a boundary, as JSON.
			assertThat(chunks).hasSize(12);
			ParallelChunksTests.assertContiguous(chunks);
			List<String> boundaries = new ArrayList<>();
			for (int row = 250; row < 3000; row += 250) {
				boundaries.add(json(tuples.get(row - 1)));
			}
			assertThat(chunks.subList(0, 11)).extracting((chunk) -> chunk.get("range_end"))
				.containsExactlyElementsOf(boundaries);
			// Chunks 1 to 4 start and end inside tenant 1.
			assertThat(boundaries.subList(0, 4)).allMatch((boundary) -> boundary.startsWith("[1,"));
			assertThat(chunks).extracting((chunk) -> ((Number) chunk.get("rows_processed")).longValue())
				.containsExactly(249L, 250L, 250L, 250L, 250L, 250L, 250L, 250L, 250L, 250L, 250L, 251L);
			assertThat(chunks).allSatisfy((chunk) -> assertThat(chunk.get("status")).isEqualTo("COMPLETED"));
			Map<String, Object> tracking = ParallelChunksTests.tracking(jdbc);
			assertThat(tracking.get("status")).isEqualTo("COMPLETED");
			assertThat(((Number) tracking.get("rows_processed")).longValue()).isEqualTo(3000);
			assertThat(attempts).allMatch(ChunkedInstance.Attempt::committed);
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("dev.backfill.testsupport.TestDatabases#all")
	void aBatchWhoseChunkLeaseWasTakenMidBatchIsRefusedAndTheChunkResumesFromItsTupleCheckpoint(
			TestDatabase database) {
		try (TestSchema schema = database.createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			// 4,000 rows in 8 uneven tenants: 8 chunks of 500 tuples, chunk 1 (tuples 500..999) inside
			// tenant 2 (tuples 301..1200), in batches of 125: its second batch starts at tuple 625.
			List<int[]> tuples = createOrders(jdbc, new int[] { 300, 900, 200, 600, 1000, 100, 500, 400 });
			String chunk1Start = text(tuples.get(499));
			String secondBatch = text(tuples.get(624));
			Queue<ChunkedInstance.Attempt> attempts = new ConcurrentLinkedQueue<>();
			try (ChunkedInstance instance = new ChunkedInstance(schema, "orders_c", KEY, 2, 125, LEASE, attempts,
					MigrationListener.NONE)) {
				assertThat(instance.runWithLeaseTakenMidBatch(secondBatch, 1).outcome())
					.isEqualTo(MigrationResult.Outcome.COMPLETED);
			}
			// The refused batch rolled back; chunk 1 went on from its checkpoint (the tuple before
			// the batch) once the thief's lease expired.
			ParallelChunksTests.assertEveryRowMigratedOnce(jdbc, "orders_c", 4000);
			assertThat(attempts.stream().filter((attempt) -> attempt.first().equals(secondBatch)))
				.extracting(ChunkedInstance.Attempt::committed)
				.containsExactly(false, true);
			assertThat(attempts.stream().filter((attempt) -> attempt.first().equals(chunk1Start)))
				.extracting(ChunkedInstance.Attempt::committed)
				.containsExactly(true);
			List<Map<String, Object>> chunks = ParallelChunksTests.chunks(jdbc);
			assertThat(chunks).hasSize(8);
			ParallelChunksTests.assertContiguous(chunks);
			assertThat(chunks.get(1).get("range_start")).isEqualTo(json(tuples.get(499)));
			assertThat(chunks.get(1).get("range_end")).isEqualTo(json(tuples.get(999)));
			assertThat(chunks.get(1).get("last_key")).isEqualTo(json(tuples.get(998)));
			assertThat(chunks).allSatisfy((chunk) -> assertThat(chunk.get("status")).isEqualTo("COMPLETED"));
		}
	}

	/**
	 * Table {@code orders_c}, keyed by {@code (tenant_id, id)}, tenant {@code t} (from 1)
	 * with {@code rowsPerTenant[t - 1]} rows. The ids are spread over the tenants (every
	 * 7,919th number modulo 10,007), so that ordering by {@code id} first is another order.
	 * @return the tuples in key order
	 */
	private static List<int[]> createOrders(JdbcTemplate jdbc, int[] rowsPerTenant) {
		jdbc.execute("CREATE TABLE orders_c (tenant_id INT NOT NULL, id INT NOT NULL, counter INT NOT NULL, "
				+ "PRIMARY KEY (tenant_id, id))");
		List<int[]> tuples = new ArrayList<>();
		int row = 0;
		for (int tenant = 1; tenant <= rowsPerTenant.length; tenant++) {
			for (int i = 0; i < rowsPerTenant[tenant - 1]; i++) {
				row++;
				tuples.add(new int[] { tenant, (row * 7919) % 10_007 });
			}
		}
		List<Object[]> rows = tuples.stream().map((tuple) -> new Object[] { tuple[0], tuple[1] }).toList();
		for (int from = 0; from < rows.size(); from += 1000) {
			jdbc.batchUpdate("INSERT INTO orders_c (tenant_id, id, counter) VALUES (?, ?, 0)",
					rows.subList(from, Math.min(rows.size(), from + 1000)));
		}
		tuples.sort(Comparator.<int[]>comparingInt((tuple) -> tuple[0]).thenComparingInt((tuple) -> tuple[1]));
		return tuples;
	}

	/** A tuple as {@link ChunkedInstance} logs a batch's first key. */
	private static String text(int[] tuple) {
		return "(" + tuple[0] + ", " + tuple[1] + ")";
	}

	/** A tuple in the checkpoint's text form. */
	private static String json(int[] tuple) {
		return "[" + tuple[0] + "," + tuple[1] + "]";
	}

}
