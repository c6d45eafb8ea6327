package io.coalesce.spring;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheBuilder;
import io.coalesce.core.RemoteTier;
import io.coalesce.local.CaffeineLocalTier;
import java.time.Clock;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Assembles the cache of one name from its resolved settings: the single place where tiers (and,
 * later, metrics and resilience decorators) are put together.
 */
final class CoalescingCacheFactory implements Function<String, CoalescingCache> {

  private final CoalesceProperties properties;
  private final Executor refreshExecutor;
  private final Clock clock;
  private final RemoteTierProvider remoteTiers;

  /**
   * @param remoteTiers the L2 tiers, or {@code null} when there is no shared tier
   */
  CoalescingCacheFactory(CoalesceProperties properties, Executor refreshExecutor, Clock clock,
      RemoteTierProvider remoteTiers) {
    this.remoteTiers = remoteTiers;
    this.properties = properties;
    this.refreshExecutor = refreshExecutor;
    this.clock = clock;
  }

  @Override
  public CoalescingCache apply(String name) {
    CacheSettings settings = properties.settingsFor(name);
    return CoalescingCacheBuilder.named(name)
        .settings(settings)
        .localTier(CaffeineLocalTier.create(settings.localMaximumSize(), clock))
        .remoteTier(remoteTiers != null && settings.remoteEnabled()
            ? remoteTiers.forCache(name, settings)
            : RemoteTier.NONE)
        .clock(clock)
        .refreshExecutor(refreshExecutor)
        .build();
  }
}
