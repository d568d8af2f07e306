package dev.backfill.internal.runner;

/**
 * A batch of a dry run, rolled back.
 *
 * @param next where it would have left the migration
 * @param rows the rows it read and passed to {@code migrate}
 * @param touched the rows it would have touched: for a {@code DataMigration} the rows
 * passed to {@code migrate}, for a {@code SqlMigration} its statement's update count
 */
record DryRunBatch(Position next, int rows, long touched) {
}
