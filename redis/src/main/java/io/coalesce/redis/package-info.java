/**
 * The L2 tier on Redis (Spring Data Redis, Lettuce): values in a versioned envelope
 * ({@link io.coalesce.redis.EntryCodec}), the cluster-wide rebuild lock with its fenced write-back,
 * and pub/sub events that invalidate other instances' L1 copies and wake instances waiting for a
 * load. Reached from the engine's single flight, after L1.
 */
package io.coalesce.redis;
