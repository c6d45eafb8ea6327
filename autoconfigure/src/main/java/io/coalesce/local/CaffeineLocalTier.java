package io.coalesce.local;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.coalesce.core.CacheEntry;
import io.coalesce.core.LocalTier;
import java.time.Clock;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The L1 tier: a Caffeine cache bounded by {@code local.maximum-size}, each entry held until the
 * deadline the engine gives it. Caffeine's clock is the engine's, so a test that advances the clock
 * expires L1 entries too. Thread-safe.
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

  /** An L1 holding at most {@code maximumSize} entries, expiring them on {@code clock}. */
  public static CaffeineLocalTier create(long maximumSize, Clock clock) {
    return create(maximumSize, clock, false);
  }

  /**
   * @param recordStats whether Caffeine records statistics (for Spring Boot's {@code cache.*}
   *     meters); off, it costs nothing
   */
  public static CaffeineLocalTier create(long maximumSize, Clock clock, boolean recordStats) {
    Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    Caffeine<Object, Held> builder = Caffeine.newBuilder()
        .maximumSize(maximumSize)
        .ticker(ticker)
        .expireAfter(new Expiry<Object, Held>() {
          @Override
          public long expireAfterCreate(Object key, Held held, long currentTime) {
            return remainingNanos(held, currentTime);
          }

          @Override
          public long expireAfterUpdate(Object key, Held held, long currentTime, long currentDuration) {
            return remainingNanos(held, currentTime);
          }

          @Override
          public long expireAfterRead(Object key, Held held, long currentTime, long currentDuration) {
            return currentDuration;
          }
        });
    if (recordStats) {
      builder.recordStats();
    }
    return new CaffeineLocalTier(builder.build(), clock);
  }

  private static long remainingNanos(Held held, long currentTimeNanos) {
    return Math.max(0, TimeUnit.MILLISECONDS.toNanos(held.retainUntil()) - currentTimeNanos);
  }

  @Override
  public CacheEntry get(Object key) {
    Held held = cache.getIfPresent(key);
    return held == null ? null : held.entry();
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
