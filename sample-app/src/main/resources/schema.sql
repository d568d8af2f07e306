-- The users table, before the two new columns are filled in by the backfills.
CREATE TABLE IF NOT EXISTS users (
    id BIGINT NOT NULL PRIMARY KEY,
    email VARCHAR(320) NOT NULL,
    email_domain VARCHAR(255),
    onboarding_step VARCHAR(32),
    created_at TIMESTAMP NOT NULL
);
