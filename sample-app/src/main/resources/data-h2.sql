-- 200,000 users in one statement, only if the table is empty. Domains come in mixed case
-- so that the emailDomain migration has something to normalize; one user signs up each
-- minute from 2024-01-01 on.
INSERT INTO users (id, email, created_at)
SELECT X,
    'user' || X || '@' || CASE MOD(X, 4)
        WHEN 0 THEN 'Example.com'
        WHEN 1 THEN 'mail.example.org'
        WHEN 2 THEN 'CORP.example.net'
        ELSE 'example.dev' END,
    DATEADD(MINUTE, X, TIMESTAMP '2024-01-01 00:00:00')
FROM SYSTEM_RANGE(1, 200000)
WHERE NOT EXISTS (SELECT 1 FROM users);
