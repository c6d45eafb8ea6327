package io.coalesce.metrics;

import io.coalesce.core.CacheListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Records one cache's engine events as the pinned meters {@code coalesce.gets},
 * {@code coalesce.loads}, {@code coalesce.coalesced}, {@code coalesce.lock} and
 * {@code coalesce.refreshes} (plus {@code coalesce.stale.served.on.error} and {@code coalesce.l1.drift}).
 * Every meter is registered
 * up front, so a dashboard sees zeros rather than gaps, and a hit costs one array read and one
 * counter increment.
 */
final class MicrometerCacheListener implements CacheListener {

  private final Counter[] gets;
  private final Timer[] loads;
  private final Counter[] locks;
  private final Counter[] refreshes;
  private final Counter coalesced;
  private final Counter staleServedOnError;
  private final Counter drift;

  MicrometerCacheListener(MeterRegistry registry, String cache) {
    gets = new Counter[GetResult.values().length];
    for (GetResult result : GetResult.values()) {
      gets[result.ordinal()] = Counter.builder("coalesce.gets")
          .description("Reads, by where they were answered from")
          .tag("cache", cache).tag("result", tagValue(result))
          .register(registry);
    }
    loads = new Timer[LoadOutcome.values().length];
    for (LoadOutcome outcome : LoadOutcome.values()) {
      loads[outcome.ordinal()] = Timer.builder("coalesce.loads")
          .description("Loader calls (one per load shared by all its callers), by outcome")
          .tag("cache", cache).tag("outcome", tagValue(outcome))
          .register(registry);
    }
    locks = new Counter[LockResult.values().length];
    for (LockResult result : LockResult.values()) {
      locks[result.ordinal()] = Counter.builder("coalesce.lock")
          .description("What a leader got from the cluster-wide rebuild lock")
          .tag("cache", cache).tag("result", tagValue(result))
          .register(registry);
    }
    refreshes = new Counter[RefreshTrigger.values().length];
    for (RefreshTrigger trigger : RefreshTrigger.values()) {
      refreshes[trigger.ordinal()] = Counter.builder("coalesce.refreshes")
          .description("Background refreshes started, by trigger")
          .tag("cache", cache).tag("trigger", tagValue(trigger))
          .register(registry);
    }
    coalesced = Counter.builder("coalesce.coalesced")
        .description("Callers that shared another caller's load instead of loading")
        .tag("cache", cache)
        .register(registry);
    staleServedOnError = Counter.builder("coalesce.stale.served.on.error")
        .description("Loader failures answered with a stale value (stale-if-error)")
        .tag("cache", cache)
        .register(registry);
    drift = Counter.builder("coalesce.l1.drift")
        .description("Sampled L1 copies found older than Redis's version of their key a second after being "
            + "served (drift-sample-rate): copies that missed a write; zero in a healthy cluster")
        .tag("cache", cache)
        .register(registry);
  }

  /** {@code L1_HIT} → {@code l1_hit}: the pinned tag values. */
  static String tagValue(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void onGet(GetResult result) {
    gets[result.ordinal()].increment();
  }

  @Override
  public void onLoad(LoadOutcome outcome, long nanos) {
    loads[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void onCoalesced() {
    coalesced.increment();
  }

  @Override
  public void onLock(LockResult result) {
    locks[result.ordinal()].increment();
  }

  @Override
  public void onRefresh(RefreshTrigger trigger) {
    refreshes[trigger.ordinal()].increment();
  }

  @Override
  public void onStaleServedOnError() {
    staleServedOnError.increment();
  }

  @Override
  public void onDrift() {
    drift.increment();
  }
}
