/**
 * Micrometer binding of the engine: a {@link io.coalesce.core.CacheListener} per cache that records
 * the pinned {@code coalesce.*} meters, the in-flight gauge, the L1's standard {@code cache.*}
 * meters and the Redis error counter. The engine never imports Micrometer; without a
 * {@code MeterRegistry} none of this is created and the engine's listener is a no-op.
 */
package io.coalesce.metrics;
