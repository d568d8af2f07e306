-- 200,000 users in one statement, only if the table is empty (see data-h2.sql).
INSERT INTO users (id, email, created_at)
SELECT g,
    'user' || g || '@' || CASE g % 4
        WHEN 0 THEN 'Example.com'
        WHEN 1 THEN 'mail.example.org'
        WHEN 2 THEN 'CORP.example.net'
        ELSE 'example.dev' END,
    TIMESTAMP '2024-01-01 00:00:00' + g * INTERVAL '1 minute'
FROM generate_series(1, 200000) AS g
WHERE NOT EXISTS (SELECT 1 FROM users);
