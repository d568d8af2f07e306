/**
 * Spring Boot health indicator of backfill.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.backfill.health;

import org.jspecify.annotations.NullMarked;
