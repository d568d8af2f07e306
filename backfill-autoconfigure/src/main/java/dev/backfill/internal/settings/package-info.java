/**
 * Internal, not API: the rule of every setting and the effective settings the runner is
 * given. May change in any release without notice.
 */
@NullMarked
package dev.backfill.internal.settings;

import org.jspecify.annotations.NullMarked;
