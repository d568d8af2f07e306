-- The application owns the tables: dev/backfill/schema-h2.sql copied as it ships, then a column of its own.
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
    lease_expires_at TIMESTAMP WITH TIME ZONE,
    updated_at TIMESTAMP WITH TIME ZONE,
    completed_at TIMESTAMP WITH TIME ZONE,
    last_error VARCHAR(4000),
    PRIMARY KEY (migration, chunk)
);
ALTER TABLE backfill_migrations ADD team VARCHAR(40) DEFAULT 'data' NOT NULL;
CREATE TABLE items (id BIGINT PRIMARY KEY, val INT NOT NULL, migrated INT NOT NULL);
INSERT INTO items (id, val, migrated) VALUES (1, 1, 0), (2, 2, 0), (3, 3, 0);
