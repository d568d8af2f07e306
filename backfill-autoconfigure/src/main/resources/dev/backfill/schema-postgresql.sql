-- The tables backfill creates in a PostgreSQL database (backfill.initialize-schema=always).
-- With backfill.initialize-schema=never, copy this file into a Flyway or Liquibase migration;
-- with another backfill.table-name, replace backfill_migrations with it everywhere.
CREATE TABLE IF NOT EXISTS backfill_migrations (
    name VARCHAR(200) NOT NULL PRIMARY KEY,
    status VARCHAR(16) NOT NULL,
    last_key VARCHAR(1000),
    rows_processed BIGINT NOT NULL,
    batches BIGINT NOT NULL,
    started_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    last_error TEXT,
    lease_owner VARCHAR(200),
    lease_expires_at TIMESTAMPTZ,
    estimated_total BIGINT,
    rows_per_second DOUBLE PRECISION,
    throttled_millis BIGINT,
    throttle_reason VARCHAR(1000),
    paused_by VARCHAR(200),
    paused_at TIMESTAMPTZ,
    remaining_rows BIGINT,
    pass INT
);
-- One row per chunk of a migration run with parallelism above 1: its key range (start
-- inclusive, end exclusive, NULL for open, in the text form of the checkpoint), its own
-- checkpoint, counts and recent rate, and the lease of the worker running it.
CREATE TABLE IF NOT EXISTS backfill_migrations_chunks (
    migration VARCHAR(200) NOT NULL,
    chunk INT NOT NULL,
    range_start VARCHAR(1000),
    range_end VARCHAR(1000),
    status VARCHAR(16) NOT NULL,
    last_key VARCHAR(1000),
    rows_processed BIGINT NOT NULL,
    batches BIGINT NOT NULL,
    rows_per_second DOUBLE PRECISION,
    throttled_millis BIGINT,
    throttle_reason VARCHAR(1000),
    lease_owner VARCHAR(200),
    lease_expires_at TIMESTAMPTZ,
    updated_at TIMESTAMPTZ,
    completed_at TIMESTAMPTZ,
    last_error TEXT,
    PRIMARY KEY (migration, chunk)
);
