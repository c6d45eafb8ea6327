package io.coalesce.local;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.coalesce.core.CacheEntry;
import io.coalesce.core.LocalTier;
import io.coalesce.core.RemoteTier;
import java.time.Clock;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * The L1 tier: a Caffeine cache bounded by {@code local.maximum-size}, each entry held with its
 * version until the deadline the engine gives it. Thread-safe.
 *
 * <p>Deadlines are checked here, on the engine's clock, when an entry is read, rather than by
 * Caffeine's per-entry expiry: that expiry reads the clock and reorders a timer wheel on every read,
 * which cost more than the rest of an L1 hit together (and varied widely from run to run; see
 * docs/benchmarks.md). A read past an entry's deadline never returns it and removes it; an entry
 * that is never read again leaves when the size bound pushes it out (W-TinyLFU evicts such cold
 * entries first) or when its key is written again. So the tier never holds more than
 * {@code maximumSize} entries, but some of them may be dead, and {@link #size()} counts those.
 *
 * <p>Stores that must respect versions run in {@code asMap().compute}, atomically per key, as
 * Caffeine's own {@code compute} serialises writers of one key: two stores of one key can never
 * leave the older version behind. The hit path is a plain {@code getIfPresent}.
 */
public final class CaffeineLocalTier implements LocalTier {

  /**
   * What is held for a key: an entry ({@code null}: only a write's mark) with the key's version and
   * data version, until {@code retainUntil}.
   */
  private record Held(CacheEntry entry, long version, long dataVersion, long retainUntil) {}

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
    return create(maximumSize, clock, recordStats, null);
  }

  /**
   * @param maintenance where Caffeine runs its maintenance (eviction, draining its buffers), which
   *     waits for the cache's eviction lock when another thread holds it; {@code null} for Caffeine's
   *     default, {@code ForkJoinPool.commonPool()}. The Boot wiring gives it a thread of Coalesce's
   *     own, so that no other thread waits on Coalesce's behalf.
   */
  public static CaffeineLocalTier create(long maximumSize, Clock clock, boolean recordStats, Executor maintenance) {
    Caffeine<Object, Object> builder = Caffeine.newBuilder().maximumSize(maximumSize);
    if (maintenance != null) {
      builder.executor(maintenance);
    }
    if (recordStats) {
      builder.recordStats();
    }
    return new CaffeineLocalTier(builder.build(), clock);
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
  public boolean put(Object key, CacheEntry entry, long version, long dataVersion, long retainUntil) {
    long now = clock.millis();
    if (retainUntil <= now) {
      return false;
    }
    Held[] stored = new Held[1];
    cache.asMap().compute(key, (k, held) -> {
      Held current = held == null || held.retainUntil() <= now ? null : held;
      if (current != null && version != RemoteTier.UNKNOWN_VERSION && current.version() > version) {
        return current; // a newer write or read is held
      }
      if (current != null && dataVersion != RemoteTier.NO_DATA_VERSION && current.dataVersion() > dataVersion) {
        return current; // a put of a later version of the value is held
      }
      long v = version != RemoteTier.UNKNOWN_VERSION ? version : current == null ? 0 : current.version();
      long dv = dataVersion != RemoteTier.NO_DATA_VERSION || current == null ? dataVersion : current.dataVersion();
      stored[0] = new Held(entry, v, dv, retainUntil);
      return stored[0];
    });
    return stored[0] != null;
  }

  @Override
  public void written(Object key, long version, long retainUntil) {
    long now = clock.millis();
    cache.asMap().compute(key, (k, held) -> {
      Held current = held == null || held.retainUntil() <= now ? null : held;
      if (current != null && current.version() >= version) {
        return current; // already that write, or a newer one
      }
      long dv = current == null ? RemoteTier.NO_DATA_VERSION : current.dataVersion();
      return retainUntil > now ? new Held(null, version, dv, retainUntil) : null;
    });
  }

  @Override
  public void dropUpTo(Object key, long version) {
    cache.asMap().computeIfPresent(key, (k, held) -> held.version() <= version ? null : held);
  }

  @Override
  public void loadedElsewhere(Object key, long version, long now) {
    cache.asMap().computeIfPresent(key, (k, held) -> {
      if (held.version() > version) {
        return held; // newer than that load: a write, or a later read
      }
      CacheEntry entry = held.entry();
      if (entry == null || entry.isNull() || entry.writtenAt() > now) {
        return null; // a mark, a "not found" the other instance found a value for, or a skewed clock's entry
      }
      if (!entry.isFresh(now)) {
        return held; // stale or past already: its next read refreshes it or reads the shared tier
      }
      CacheEntry staleFromNow = new CacheEntry(entry.value(), entry.writtenAt(), now, entry.staleUntil(),
          entry.loadMillis());
      return new Held(staleFromNow, held.version(), held.dataVersion(), held.retainUntil());
    });
  }

  @Override
  public long version(Object key) {
    Held held = cache.getIfPresent(key);
    return held == null || held.retainUntil() <= clock.millis() ? NO_VERSION : held.version();
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
      cache.asMap().computeIfPresent(key, (k, held) -> held.retainUntil() <= until ? held
          : new Held(held.entry(), held.version(), held.dataVersion(), until));
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
