/**
 * The engine, free of Spring and Redis: {@link io.coalesce.core.CoalescingCache} and its read path
 * (L1 → single flight → L2 → loader), logical expiry with a stale window, TTL jitter, early
 * refresh, null caching and stale-if-error. Tiers ({@link io.coalesce.core.LocalTier},
 * {@link io.coalesce.core.RemoteTier}) and metrics ({@link io.coalesce.core.CacheListener}) plug in
 * through small interfaces; {@link io.coalesce.core.CoalescingCacheBuilder} assembles them.
 */
package io.coalesce.core;
