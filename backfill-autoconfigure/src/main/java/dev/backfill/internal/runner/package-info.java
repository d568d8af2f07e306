/**
 * Internal, not API: the keyset runner, its leases and retries. Knows nothing of Spring
 * Boot. May change in any release without notice.
 */
@NullMarked
package dev.backfill.internal.runner;

import org.jspecify.annotations.NullMarked;
