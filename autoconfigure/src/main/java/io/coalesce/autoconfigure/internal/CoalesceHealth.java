package io.coalesce.autoconfigure.internal;

import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.redis.internal.RedisHealth;
import io.coalesce.redis.internal.RedisTiers;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the {@code coalesce} health indicator reports, whatever Spring Boot line draws it (Boot 4 and
 * Boot 3.5 each have their own {@code HealthIndicator} type). With no Redis configured, or Redis
 * answering, Coalesce is up; when Redis does not answer (or the circuit breaker is open) it is
 * degraded, never down: callers are still served, from L1 and the loaders. The check sends one
 * {@code PING} through the circuit breaker, which so also notices a failed Redis on an idle instance.
 */
public final class CoalesceHealth {

  /** The status code of a Coalesce without its shared tier: serving, HTTP 200 unless mapped otherwise. */
  public static final String DEGRADED = "DEGRADED";

  /** The description of {@link #DEGRADED}. */
  public static final String DEGRADED_DESCRIPTION =
      "Redis is unavailable; Coalesce serves from L1 and the loaders (loads once per key per instance)";

  /** One health check's outcome. */
  public record Report(boolean degraded, Map<String, Object> details) {}

  private final CoalescingCacheManager caches;
  private final RedisTiers redis;

  /**
   * @param redis the Redis tier, or {@code null} when there is none
   */
  public CoalesceHealth(CoalescingCacheManager caches, RedisTiers redis) {
    this.caches = caches;
    this.redis = redis;
  }

  public Report check() {
    Map<String, Object> details = new LinkedHashMap<>();
    if (redis == null) {
      details.put("redis", "not configured: every instance caches on its own (L1 only)");
      details.put("caches", caches.getCacheNames().size());
      return new Report(false, details);
    }
    boolean answers = redis.ping();
    RedisHealth errors = redis.health();
    details.put("redis", answers ? "available" : "unavailable");
    details.put("circuitBreaker", redis.guard().state());
    details.put("caches", caches.getCacheNames().size());
    details.put("errors", errors.failures());
    details.put("skippedByBreaker", errors.skipped());
    long since = errors.failingSinceMillis();
    if (!answers && since > 0) {
      details.put("failingSince", Instant.ofEpochMilli(since).toString());
    }
    return new Report(!answers, details);
  }
}
