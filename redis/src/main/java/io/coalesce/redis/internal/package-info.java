/**
 * Not API: the Redis tier's wiring (store and scripts, keys, pub/sub events, the shared Bloom filter,
 * the circuit breaker seam), public only so that the auto-configuration can assemble it. It may
 * change in any release.
 */
package io.coalesce.redis.internal;
