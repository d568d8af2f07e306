-- A smaller data-h2.sql for the tests: 2,500 users, one signing up each hour from
-- 2024-01-01 on, so that some come before the onboarding launch (2024-03-01) and some after.
INSERT INTO users (id, email, created_at)
SELECT X,
    'user' || X || '@' || CASE MOD(X, 4)
        WHEN 0 THEN 'Example.com'
        WHEN 1 THEN 'mail.example.org'
        WHEN 2 THEN 'CORP.example.net'
        ELSE 'example.dev' END,
    DATEADD(HOUR, X, TIMESTAMP '2024-01-01 00:00:00')
FROM SYSTEM_RANGE(1, 2500);
