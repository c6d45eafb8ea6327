package io.coalesce.metrics;

import com.github.benmanes.caffeine.cache.Cache;
import io.coalesce.core.CacheListener;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.HotKeyReport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.coalesce.redis.internal.RedisOutcome;
import java.util.function.Consumer;

/**
 * Binds every cache to a {@link MeterRegistry}: the engine's events through a
 * {@link MicrometerCacheListener}, {@code coalesce.inflight} and {@code coalesce.hot.key.share} as
 * gauges, and the L1 as Spring Boot's
 * standard {@code cache.*} meters (tagged {@code cache} and {@code cache.manager=coalesce}, as Spring
 * Boot tags the caches of its own cache managers).
 */
public final class MicrometerCacheInstrumentation implements CacheInstrumentation {

  /** The {@code cache.manager} tag of the L1's {@code cache.*} meters. */
  public static final String CACHE_MANAGER = "coalesce";

  private final MeterRegistry registry;

  public MicrometerCacheInstrumentation(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Counts the Redis failures the tier absorbed, as {@code coalesce.redis.errors{operation}}. */
  public Consumer<RedisOutcome> redisErrorCounter() {
    return new RedisErrorCounter(registry);
  }

  /** Reads one cache's {@code coalesce.*} meters back from {@code registry}, for the actuator endpoint. */
  public static CacheStatistics statistics(MeterRegistry registry) {
    return new MicrometerCacheStatistics(registry);
  }

  @Override
  public boolean recordsLocalStatistics() {
    return true;
  }

  @Override
  public CacheListener listener(String cache) {
    return new MicrometerCacheListener(registry, cache);
  }

  @Override
  public void bind(CoalescingCache cache, Cache<?, ?> localCache) {
    Gauge.builder("coalesce.inflight", cache, CoalescingCache::inFlight)
        .description("Keys whose load is under way in this instance")
        .tag("cache", cache.name())
        .register(registry);
    if (cache.settings().hotKeys() > 0) {
      Gauge.builder("coalesce.hot.key.share", cache, c -> hottestShare(c.hotKeys().reads()))
          .description("Share of the cache's sampled reads, over the last minutes, that went to its most read key")
          .tag("cache", cache.name()).tag("by", "reads")
          .register(registry);
      Gauge.builder("coalesce.hot.key.share", cache, c -> hottestShare(c.hotKeys().loads()))
          .description("Share of the cache's loads, over the last minutes, that went to its most loaded key")
          .tag("cache", cache.name()).tag("by", "loads")
          .register(registry);
    }
    if (localCache != null) {
      CaffeineCacheMetrics.monitor(registry, localCache, cache.name(), Tags.of("cache.manager", CACHE_MANAGER));
    }
  }

  private static double hottestShare(java.util.List<HotKeyReport.HotKey> hottest) {
    return hottest.isEmpty() ? 0 : hottest.get(0).share();
  }
}
