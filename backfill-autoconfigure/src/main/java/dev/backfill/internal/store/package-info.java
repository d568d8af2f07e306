/**
 * Internal, not API: the tracking table and the SQL dialects of PostgreSQL, MariaDB/MySQL
 * and H2. Knows nothing of Spring Boot. May change in any release without notice.
 */
@NullMarked
package dev.backfill.internal.store;

import org.jspecify.annotations.NullMarked;
