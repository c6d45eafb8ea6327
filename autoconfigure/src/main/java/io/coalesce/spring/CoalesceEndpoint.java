package io.coalesce.spring;

import io.coalesce.bloom.BloomFilters;
import io.coalesce.bloom.BloomStatus;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.metrics.CacheStatistics;
import io.coalesce.redis.RedisErrors;
import io.coalesce.redis.RedisTiers;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;

/**
 * The {@code coalesce} actuator endpoint:
 *
 * <ul>
 *   <li>{@code GET /actuator/coalesce}: every cache of this instance with its effective settings and
 *       statistics, and the state of the Redis tier;
 *   <li>{@code GET /actuator/coalesce/{cache}}: one cache (404 when this instance has not created it);
 *   <li>{@code DELETE /actuator/coalesce/{cache}/{key}}: evicts one key from both tiers of every
 *       instance (the key in its string form: {@code 42}, or {@code eu,42} for a two-part key);
 *   <li>{@code DELETE /actuator/coalesce/{cache}}: clears the cache in both tiers of every instance;
 *   <li>{@code POST /actuator/coalesce/{cache}/bloom}: rebuilds the cache's Bloom filter from its seed.
 * </ul>
 */
@Endpoint(id = "coalesce")
public class CoalesceEndpoint {

  private final CoalescingCacheManager caches;
  private final CacheStatistics statistics;
  private final RedisTiers redis;
  private final BloomFilters blooms;

  /**
   * @param redis the Redis tier, or {@code null} when there is none
   * @param blooms the Bloom filters, or {@code null} when there are none
   */
  public CoalesceEndpoint(CoalescingCacheManager caches, CacheStatistics statistics, @Nullable RedisTiers redis,
      @Nullable BloomFilters blooms) {
    this.caches = caches;
    this.statistics = statistics;
    this.redis = redis;
    this.blooms = blooms;
  }

  @ReadOperation
  public Map<String, Object> caches() {
    Map<String, Object> all = new TreeMap<>();
    for (String name : caches.getCacheNames()) {
      all.put(name, describe(caches.getCache(name)));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("caches", all);
    body.put("redis", redisState());
    return body;
  }

  @ReadOperation
  @Nullable
  public Map<String, Object> cache(@Selector String cache) {
    return caches.getCacheNames().contains(cache) ? describe(caches.getCache(cache)) : null;
  }

  /** Clears {@code cache} everywhere (its Redis keys, and every instance's L1 through an event). */
  @DeleteOperation
  public Map<String, Object> clear(@Selector String cache) {
    cacheForWrite(cache).clear();
    return Map.of("cache", cache, "cleared", true);
  }

  /** Evicts one key everywhere, named in its string form. */
  @DeleteOperation
  public Map<String, Object> evict(@Selector String cache, @Selector String key) {
    cacheForWrite(cache).evictFormatted(key);
    return Map.of("cache", cache, "key", key, "evicted", true);
  }

  /**
   * Rebuilds the Bloom filter of {@code cache} from its seed (only {@code bloom} is accepted as
   * {@code part}); answers when the new filter is in use.
   */
  @WriteOperation
  public Map<String, Object> rebuild(@Selector String cache, @Selector String part) {
    if (!"bloom".equals(part)) {
      throw new InvalidEndpointRequestException("Unknown part '" + part + "'", "Only POST .../" + cache
          + "/bloom is supported: it rebuilds the cache's Bloom filter");
    }
    if (blooms == null) {
      throw new InvalidEndpointRequestException("No Bloom filters", "No cache has bloom.enabled");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("cache", cache);
    try {
      boolean rebuilt = blooms.rebuild(cache);
      body.put("rebuilt", rebuilt);
      if (!rebuilt) {
        body.put("reason", "another build of this filter is under way (on this or another instance)");
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage());
    } catch (RuntimeException e) {
      body.put("rebuilt", false);
      body.put("reason", "the build failed, the filter in use is unchanged (and fails open if it cannot answer): " + e);
    }
    body.put("bloom", blooms.status(cache));
    return body;
  }

  /**
   * The cache, created when this instance has not used it yet: its keys may still live in Redis and
   * in other instances' L1, which a clear or evict must reach.
   */
  private CoalescingCache cacheForWrite(String cache) {
    try {
      return caches.getCache(cache);
    } catch (IllegalArgumentException e) {
      throw new InvalidEndpointRequestException(e.getMessage(), "Unknown cache '" + cache + "'");
    }
  }

  private Map<String, Object> describe(CoalescingCache cache) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("settings", settings(cache.settings()));
    body.put("localSize", cache.localSize());
    body.put("inFlight", cache.inFlight());
    body.put("statistics", statistics.of(cache.name()));
    BloomStatus bloom = blooms == null ? null : blooms.status(cache.name());
    if (bloom != null) {
      body.put("bloom", bloom);
    }
    return body;
  }

  /** The effective settings, named as in {@code application.yml}. */
  static Map<String, Object> settings(CacheSettings s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ttl", text(s.ttl()));
    m.put("jitter", s.jitter());
    m.put("stale-ttl", text(s.staleTtl()));
    m.put("early-refresh-beta", s.earlyRefreshBeta());
    m.put("null-ttl", text(s.nullTtl()));
    m.put("load-timeout", text(s.loadTimeout()));
    m.put("stale-if-error", s.staleIfError());
    m.put("stale-if-error-max-age", text(s.staleIfErrorMaxAge()));
    m.put("evict-delay", text(s.evictDelay()));
    m.put("bulkhead", Map.of("max-concurrent-loads", s.bulkheadMaxConcurrentLoads(),
        "max-wait", text(s.bulkheadMaxWait())));
    m.put("local", Map.of("enabled", s.localEnabled(), "maximum-size", s.localMaximumSize(),
        "ttl", text(s.localTtl())));
    m.put("remote", Map.of("enabled", s.remoteEnabled()));
    m.put("lock", Map.of("enabled", s.lockEnabled(), "lease", text(s.lockLease()),
        "wait", text(s.lockWait()), "on-timeout", s.lockOnTimeout().name().toLowerCase()));
    m.put("bloom", Map.of("enabled", s.bloomEnabled(), "expected-insertions", s.bloomExpectedInsertions(),
        "false-positive-rate", s.bloomFalsePositiveRate(), "rebuild-interval", text(s.bloomRebuildInterval())));
    return m;
  }

  private Map<String, Object> redisState() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("configured", redis != null);
    if (redis == null) {
      return m;
    }
    RedisErrors errors = redis.errors();
    m.put("keyPrefix", redis.keyPrefix());
    m.put("circuitBreaker", redis.guard().state());
    m.put("failing", errors.isFailing() || !redis.guard().permitsCalls());
    long since = errors.failingSinceMillis();
    if (since > 0) {
      m.put("failingSince", Instant.ofEpochMilli(since).toString());
    }
    m.put("errors", errors.failures());
    m.put("skippedByBreaker", errors.skipped());
    m.put("undecodableValues", errors.undecodable());
    return m;
  }

  /** A duration as it would be written in {@code application.yml}: {@code 10m}, {@code 500ms}. */
  static String text(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return "0s";
    }
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1_000 == 0) {
      return ms / 1_000 + "s";
    }
    return ms + "ms";
  }
}
