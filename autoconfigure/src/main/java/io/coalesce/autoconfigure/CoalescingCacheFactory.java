package io.coalesce.autoconfigure;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheBuilder;
import io.coalesce.core.PenetrationGuard;
import io.coalesce.core.RemoteTier;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.metrics.CacheInstrumentation;
import java.time.Clock;
import java.util.function.Function;

/**
 * Assembles the cache of one name from its resolved settings: the single place where the tiers and
 * the instrumentation (metrics) are put together.
 */
final class CoalescingCacheFactory implements Function<String, CoalescingCache> {

  private final CoalesceProperties properties;
  private final CoalesceExecutors executors;
  private final Clock clock;
  private final RemoteTierProvider remoteTiers;
  private final CacheInstrumentation instrumentation;
  private final PenetrationGuardProvider guards;

  /**
   * @param remoteTiers the L2 tiers, or {@code null} when there is no shared tier
   * @param guards the Bloom filters, or {@code null} when Guava is not on the classpath
   */
  CoalescingCacheFactory(CoalesceProperties properties, CoalesceExecutors executors, Clock clock,
      RemoteTierProvider remoteTiers, CacheInstrumentation instrumentation, PenetrationGuardProvider guards) {
    this.remoteTiers = remoteTiers;
    this.guards = guards;
    this.instrumentation = instrumentation;
    this.properties = properties;
    this.executors = executors;
    this.clock = clock;
  }

  @Override
  public CoalescingCache apply(String name) {
    CacheSettings settings = properties.settingsFor(name);
    CaffeineLocalTier localTier = CaffeineLocalTier.create(settings.local().maximumSize(), clock,
        instrumentation.recordsLocalStatistics(), executors.localMaintenance());
    boolean shared = remoteTiers != null && settings.remote().enabled();
    CoalescingCache cache = CoalescingCacheBuilder.named(name)
        .settings(settings)
        .localTier(localTier)
        .listener(instrumentation.listener(name))
        .remoteTier(shared ? remoteTiers.forCache(name, settings) : RemoteTier.NONE)
        .penetrationGuard(guard(name, settings, shared))
        .clock(clock)
        .refreshExecutor(executors.refresh())
        .writeExecutor(executors.writes())
        .build();
    instrumentation.bind(cache, settings.local().enabled() ? localTier.nativeCache() : null);
    return cache;
  }

  private PenetrationGuard guard(String name, CacheSettings settings, boolean shared) {
    if (!settings.bloom().enabled()) {
      return PenetrationGuard.NONE;
    }
    if (guards == null) {
      throw new IllegalStateException("Cache '" + name + "' has bloom.enabled, which needs Guava on the classpath "
          + "(com.google.guava:guava; coalesce-spring-boot-starter brings it). Add it, or turn bloom.enabled off.");
    }
    return guards.forCache(name, settings, shared);
  }
}
