/**
 * The backfill API: {@link dev.backfill.DataMigration} and {@link dev.backfill.SqlMigration} beans, their
 * {@link dev.backfill.DataMigrationConfig settings}, {@link dev.backfill.MigrationListener
 * listeners} and the {@link dev.backfill.DataMigrationException exception} that reports a
 * migration that could not run. This package, {@code dev.backfill.autoconfigure} and
 * {@code dev.backfill.metrics} are what applications code against.
 *
 * @since 0.1.0
 */
@NullMarked
package dev.backfill;

import org.jspecify.annotations.NullMarked;
