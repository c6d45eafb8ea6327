package io.coalesce.core;

import java.util.Set;

/**
 * The in-process tier (L1). Implementations are bounded and thread-safe; an entry may vanish at any
 * time (eviction), which the engine treats as a miss.
 */
public interface LocalTier {

  /** A tier that holds nothing: every read is a miss. */
  LocalTier NONE = new LocalTier() {
    @Override
    public CacheEntry get(Object key) {
      return null;
    }

    @Override
    public void put(Object key, CacheEntry entry, long retainUntil) {}

    @Override
    public boolean remove(Object key, CacheEntry entry) {
      return false;
    }

    @Override
    public void evict(Object key) {}

    @Override
    public void clear() {}

    @Override
    public long size() {
      return 0;
    }
  };

  /** The entry held for {@code key}, or {@code null}. */
  CacheEntry get(Object key);

  /**
   * The entry held for {@code key} at {@code now} (epoch millis of the engine's clock), or
   * {@code null}: the read of the hit path, given the time the engine has read anyway so that the
   * tier need not read the clock again.
   */
  default CacheEntry get(Object key, long now) {
    return get(key);
  }

  /** Holds {@code entry} until at most {@code retainUntil} (epoch millis of the engine's clock). */
  void put(Object key, CacheEntry entry, long retainUntil);

  /** Removes {@code key} only while it still maps to {@code entry}. */
  boolean remove(Object key, CacheEntry entry);

  /** Removes {@code key}. */
  void evict(Object key);

  /** Removes every entry. */
  void clear();

  /** An estimate of the number of entries held. */
  long size();

  /**
   * Shortens the deadline of every entry held beyond {@code until} to {@code until} (epoch millis of
   * the engine's clock), atomically per entry: an entry removed meanwhile stays removed. The engine
   * calls it when the shared tier answers again, so that copies kept for their whole window while it
   * failed go back to {@code local.ttl}. The default does nothing: entries then keep their deadlines.
   */
  default void capRetention(long until) {}

  /** A live view of the keys held (for administrative lookups, not for the read path). */
  default Set<Object> keys() {
    return Set.of();
  }
}
