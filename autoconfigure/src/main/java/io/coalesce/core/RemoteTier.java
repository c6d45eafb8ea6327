package io.coalesce.core;

import java.lang.reflect.Type;

/**
 * The shared tier (L2) below L1: values that every instance of the application sees. The engine
 * consults it only from the leader of a load, and writes to it before L1, so that another
 * instance's next read finds the value.
 *
 * <p>Implementations never throw to the engine for an I/O failure: an unreachable store is a miss
 * on read and a no-op on write, because a cache outage must never fail a caller.
 */
public interface RemoteTier {

  /** No shared tier: every instance stands alone. */
  RemoteTier NONE = new RemoteTier() {
    @Override
    public CacheEntry get(Object key, Type type) {
      return null;
    }

    @Override
    public void put(Object key, CacheEntry entry, Type type) {}

    @Override
    public void evict(Object key) {}

    @Override
    public void clear() {}

    @Override
    public boolean isPresent() {
      return false;
    }
  };

  /** The entry stored for {@code key}, decoded as {@code type}, or {@code null} on a miss. */
  CacheEntry get(Object key, Type type);

  /** Stores {@code entry} for every instance to see. */
  void put(Object key, CacheEntry entry, Type type);

  /** Removes {@code key} for every instance (including their L1 copies). */
  void evict(Object key);

  /** Removes every key of this cache for every instance. */
  void clear();

  /** Whether this is a real shared tier; when it is, L1 copies are kept at most {@code local.ttl}. */
  default boolean isPresent() {
    return true;
  }
}
