package io.coalesce.autoconfigure;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.RemoteTier;

/**
 * Gives each cache its L2 tier. A bean of this type exists only when a shared tier does, so the
 * core wiring never touches Redis classes (the Redis client stays an optional dependency).
 */
@FunctionalInterface
interface RemoteTierProvider {

  RemoteTier forCache(String name, CacheSettings settings);
}
