package io.coalesce.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Reads one cache's {@code coalesce.*} meters back from the registry that records them. */
final class MicrometerCacheStatistics implements CacheStatistics {

  private final MeterRegistry registry;

  MicrometerCacheStatistics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public Map<String, Object> of(String cache) {
    Map<String, Object> statistics = new LinkedHashMap<>();
    Map<String, Long> gets = counts("coalesce.gets", "result", cache);
    if (gets.isEmpty()) {
      return Map.of();
    }
    statistics.put("gets", gets);
    long reads = gets.values().stream().mapToLong(Long::longValue).sum();
    // As docs/operations.md defines it: a Bloom rejection or a miss is not a hit.
    long hits = gets.getOrDefault("l1_hit", 0L) + gets.getOrDefault("l2_hit", 0L) + gets.getOrDefault("stale", 0L);
    statistics.put("hitRatio", reads == 0 ? null : (double) hits / reads);
    Map<String, Object> loads = new LinkedHashMap<>();
    for (Timer timer : registry.find("coalesce.loads").tag("cache", cache).timers()) {
      loads.put(timer.getId().getTag("outcome"), Map.of(
          "count", timer.count(),
          "meanMillis", timer.mean(TimeUnit.MILLISECONDS),
          "maxMillis", timer.max(TimeUnit.MILLISECONDS)));
    }
    statistics.put("loads", loads);
    Counter coalesced = registry.find("coalesce.coalesced").tag("cache", cache).counter();
    statistics.put("coalesced", coalesced == null ? 0L : (long) coalesced.count());
    statistics.put("refreshes", counts("coalesce.refreshes", "trigger", cache));
    statistics.put("lock", counts("coalesce.lock", "result", cache));
    return statistics;
  }

  private Map<String, Long> counts(String meter, String tag, String cache) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Counter counter : registry.find(meter).tag("cache", cache).counters()) {
      counts.put(counter.getId().getTag(tag), (long) counter.count());
    }
    return counts;
  }
}
