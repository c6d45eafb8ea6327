package io.coalesce.autoconfigure;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.RemoteTier;

/**
 * Gives each cache its L2 tier. A bean of this type exists only when a shared tier does, so the
 * core wiring never touches Redis classes (the Redis client stays an optional dependency).
 */
interface RemoteTierProvider {

  RemoteTier forCache(String name, CacheSettings settings);

  /** What the tier is and where it lives, for the start-up log line (e.g. "Redis at host:6379"). */
  String describe();
}
