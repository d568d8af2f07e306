/**
 * Auto-configuration of the Actuator endpoint {@code backfills}.
 */
@NullMarked
package dev.backfill.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
