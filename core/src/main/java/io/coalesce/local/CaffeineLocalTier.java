package io.coalesce.local;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.coalesce.core.CacheEntry;
import io.coalesce.core.LocalTier;
import java.time.Clock;
import java.util.Collections;
import java.util.Set;

/**
 * The L1 tier: a Caffeine cache bounded by {@code local.maximum-size}, each entry held until the
 * deadline the engine gives it. Thread-safe.
 *
 * <p>Deadlines are checked here, on the engine's clock, when an entry is read, rather than by
 * Caffeine's per-entry expiry: that expiry reads the clock and reorders a timer wheel on every read,
 * which cost more than the rest of an L1 hit together (and varied widely from run to run; see
 * docs/benchmarks.md). A read past an entry's deadline never returns it and removes it; an entry
 * that is never read again leaves when the size bound pushes it out (W-TinyLFU evicts such cold
 * entries first) or when its key is written again. So the tier never holds more than
 * {@code maximumSize} entries, but some of them may be dead, and {@link #size()} counts those.
 */
public final class CaffeineLocalTier implements LocalTier {

  /** An entry with the deadline the engine chose for it. */
  private record Held(CacheEntry entry, long retainUntil) {}

  private final Cache<Object, Held> cache;
  private final Clock clock;

  private CaffeineLocalTier(Cache<Object, Held> cache, Clock clock) {
    this.cache = cache;
    this.clock = clock;
  }

  /** An L1 holding at most {@code maximumSize} entries, with deadlines on {@code clock}. */
  public static CaffeineLocalTier create(long maximumSize, Clock clock) {
    return create(maximumSize, clock, false);
  }

  /**
   * @param recordStats whether Caffeine records statistics (for Spring Boot's {@code cache.*}
   *     meters); off, it costs nothing
   */
  public static CaffeineLocalTier create(long maximumSize, Clock clock, boolean recordStats) {
    Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(maximumSize);
    if (recordStats) {
      builder.recordStats();
    }
    return new CaffeineLocalTier(builder.build(), clock);
  }

  @Override
  public CacheEntry get(Object key) {
    return get(key, clock.millis());
  }

  @Override
  public CacheEntry get(Object key, long now) {
    Held held = cache.getIfPresent(key);
    if (held == null) {
      return null;
    }
    if (now < held.retainUntil()) {
      return held.entry();
    }
    cache.asMap().remove(key, held); // past its deadline: gone, as if Caffeine had expired it
    return null;
  }

  @Override
  public void put(Object key, CacheEntry entry, long retainUntil) {
    if (retainUntil > clock.millis()) {
      cache.put(key, new Held(entry, retainUntil));
    }
  }

  @Override
  public boolean remove(Object key, CacheEntry entry) {
    Held held = cache.getIfPresent(key);
    return held != null && held.entry() == entry && cache.asMap().remove(key, held);
  }

  @Override
  public void evict(Object key) {
    cache.invalidate(key);
  }

  @Override
  public void clear() {
    cache.invalidateAll();
  }

  @Override
  public void capRetention(long until) {
    for (Object key : cache.asMap().keySet()) {
      cache.asMap().computeIfPresent(key, (k, held) -> held.retainUntil() <= until ? held : new Held(held.entry(), until));
    }
  }

  @Override
  public long size() {
    return cache.estimatedSize();
  }

  @Override
  public Set<Object> keys() {
    return Collections.unmodifiableSet(cache.asMap().keySet());
  }

  /** The underlying Caffeine cache, for metrics binding ({@code CaffeineCacheMetrics}). */
  public Cache<?, ?> nativeCache() {
    return cache;
  }
}
