package io.coalesce.metrics;

import com.github.benmanes.caffeine.cache.Cache;
import io.coalesce.core.CacheListener;
import io.coalesce.core.CoalescingCache;

/**
 * What observes each cache as it is assembled: it hands the engine a listener and then binds the
 * finished cache (gauges, the L1's statistics). {@link #NONE} observes nothing and costs nothing.
 */
public interface CacheInstrumentation {

  /** Observes nothing: the engine gets {@link CacheListener#NONE} and the L1 records no statistics. */
  CacheInstrumentation NONE = new CacheInstrumentation() {
    @Override
    public boolean recordsLocalStatistics() {
      return false;
    }

    @Override
    public CacheListener listener(String cache) {
      return CacheListener.NONE;
    }

    @Override
    public void bind(CoalescingCache cache, Cache<?, ?> localCache) {}
  };

  /** Whether L1 caches should record Caffeine statistics (which cost a little on every read). */
  boolean recordsLocalStatistics();

  /** The listener the engine of cache {@code cache} reports to. */
  CacheListener listener(String cache);

  /**
   * Binds a finished cache.
   *
   * @param localCache its L1's Caffeine cache, or {@code null} when the cache has no L1
   */
  void bind(CoalescingCache cache, Cache<?, ?> localCache);
}
