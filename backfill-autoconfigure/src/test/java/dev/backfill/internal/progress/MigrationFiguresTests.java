package dev.backfill.internal.progress;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import dev.backfill.internal.runner.MigrationDatabase;
import dev.backfill.internal.store.ChunkStore;
import dev.backfill.internal.store.MigrationStore;
import dev.backfill.internal.store.SqlDialect;
import dev.backfill.testsupport.TestDatabases;
import dev.backfill.testsupport.TestSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The figures of a migration run in chunks, read from its tracking row and its chunk rows:
 * the tracking row holds what was done before the split (a keyset walk, earlier passes)
 * and each completed chunk's counts; the chunks not completed add theirs.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class MigrationFiguresTests {

	@Test
	void rowsOfAWalkBeforeTheSplitCompletedChunksAndRunningChunksAddUpEachOnce() {
		try (TestSchema schema = TestDatabases.h2().createSchema()) {
			JdbcTemplate jdbc = schema.jdbc();
			MigrationDatabase database = MigrationDatabase.of(schema.dataSource(), "backfill_migrations");
			MigrationStore store = database.store();
			store.createTableIfMissing();
			SqlDialect dialect = store.dialect();
			// A walk did 600 rows in 6 batches, throttled 500 ms, then the rest was split; chunk 0
			// completed (its 250 rows in 3 batches and 300 ms throttled added to the row), chunk 1 is
			// running at 100 rows in 1 batch, throttled 700 ms.
			jdbc.update("INSERT INTO backfill_migrations (name, status, rows_processed, batches, estimated_total, "
					+ "throttled_millis, updated_at, lease_owner) VALUES ('chunked', 'RUNNING', 850, 9, 1000, 800, "
					+ dialect.currentTimestamp() + ", ?)", ChunkStore.CHUNK_WORKERS);
			insertChunk(jdbc, dialect, 0, "COMPLETED", 250, 3, null, 300);
			insertChunk(jdbc, dialect, 1, "RUNNING", 100, 1, "worker/1", 700);
			MigrationFigures figures = MigrationFigures.of(store.find("chunked").orElseThrow(), database.chunks(), 2,
					Instant.now());
			assertThat(figures.progress().rowsProcessed()).isEqualTo(950);
			assertThat(figures.batches()).isEqualTo(10);
			assertThat(figures.progress().percent()).isEqualTo(95.0);
			assertThat(figures.throttledMillis()).isEqualTo(1500);
		}
	}

	private static void insertChunk(JdbcTemplate jdbc, SqlDialect dialect, int chunk, String status, long rows,
			long batches, String owner, long throttledMillis) {
		jdbc.update("INSERT INTO backfill_migrations_chunks (migration, chunk, status, rows_processed, batches, "
				+ "lease_owner, lease_expires_at, throttled_millis, updated_at) VALUES ('chunked', ?, ?, ?, ?, ?, "
				+ ((owner != null) ? dialect.currentTimestampPlusMillis() : "NULL") + ", ?, "
				+ dialect.currentTimestamp() + ")",
				(owner != null) ? new Object[] { chunk, status, rows, batches, owner, 3_600_000L, throttledMillis }
						: new Object[] { chunk, status, rows, batches, null, throttledMillis });
	}

}
