package io.coalesce.autoconfigure;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.PenetrationGuard;

/** Makes the penetration guard (Bloom filter) of a cache whose settings enable it. */
@FunctionalInterface
interface PenetrationGuardProvider {

  /**
   * @param shared whether the cache uses the shared (Redis) tier
   */
  PenetrationGuard forCache(String name, CacheSettings settings, boolean shared);
}
