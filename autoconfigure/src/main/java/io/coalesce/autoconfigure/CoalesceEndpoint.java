package io.coalesce.autoconfigure;

import io.coalesce.autoconfigure.internal.SettingsView;
import io.coalesce.bloom.BloomFilters;
import io.coalesce.bloom.BloomStatus;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.metrics.CacheStatistics;
import io.coalesce.redis.internal.RedisHealth;
import io.coalesce.redis.internal.RedisTiers;
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
  public CoalesceEndpoint(CoalescingCacheManager caches, CacheStatistics statistics, RedisTiers redis,
      BloomFilters blooms) {
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
    body.put("settings", SettingsView.of(cache.settings()));
    body.put("localSize", cache.localSize());
    body.put("inFlight", cache.inFlight());
    body.put("statistics", statistics.of(cache.name()));
    if (cache.settings().hotKeys() > 0) {
      body.put("hotKeys", cache.hotKeys());
    }
    BloomStatus bloom = blooms == null ? null : blooms.status(cache.name());
    if (bloom != null) {
      body.put("bloom", bloom);
    }
    return body;
  }

  private Map<String, Object> redisState() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("configured", redis != null);
    if (redis == null) {
      return m;
    }
    RedisHealth errors = redis.health();
    m.put("keyPrefix", redis.keyPrefix());
    m.put("circuitBreaker", redis.guard().state());
    m.put("failing", !redis.guard().isAvailable());
    long since = errors.failingSinceMillis();
    if (since > 0) {
      m.put("failingSince", Instant.ofEpochMilli(since).toString());
    }
    m.put("errors", errors.failures());
    m.put("skippedByBreaker", errors.skipped());
    m.put("undecodableValues", errors.undecodable());
    m.put("unencodableValues", errors.unencodable());
    m.put("writesToReplay", redis.pendingWrites());
    return m;
  }
}
