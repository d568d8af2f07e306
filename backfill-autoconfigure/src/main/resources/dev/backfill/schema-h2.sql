-- The tables backfill creates in a H2 database (backfill.initialize-schema=always).
-- With backfill.initialize-schema=never, copy this file into a Flyway or Liquibase migration;
-- with another backfill.table-name, replace backfill_migrations with it everywhere.
CREATE TABLE IF NOT EXISTS backfill_migrations (
    name VARCHAR(200) NOT NULL PRIMARY KEY,
    status VARCHAR(16) NOT NULL,
    last_key VARCHAR(1000),
    rows_processed BIGINT NOT NULL,
    batches BIGINT NOT NULL,
    started_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE,
    completed_at TIMESTAMP WITH TIME ZONE,
    last_error VARCHAR(4000),
    lease_owner VARCHAR(200),
    lease_expires_at TIMESTAMP WITH TIME ZONE,
    estimated_total BIGINT,
    rows_per_second DOUBLE PRECISION,
    throttled_millis BIGINT,
    throttle_reason VARCHAR(1000),
    paused_by VARCHAR(200),
    paused_at TIMESTAMP WITH TIME ZONE,
    remaining_rows BIGINT,
    pass INT
);
