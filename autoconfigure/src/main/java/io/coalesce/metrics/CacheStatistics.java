package io.coalesce.metrics;

import java.util.Map;

/** What has been recorded about one cache, for the actuator endpoint. */
public interface CacheStatistics {

  /** Nothing recorded (no meter registry). */
  CacheStatistics NONE = cache -> Map.of();

  /** The recorded counts of cache {@code cache}, as a JSON-friendly map; empty when none. */
  Map<String, Object> of(String cache);
}
