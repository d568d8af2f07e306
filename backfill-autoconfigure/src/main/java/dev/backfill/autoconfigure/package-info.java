/**
 * Spring Boot auto-configuration of backfill: properties, the application runner, the
 * tracking table's initializer and the failure analyzers.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.backfill.autoconfigure;

import org.jspecify.annotations.NullMarked;
