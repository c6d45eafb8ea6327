package io.coalesce.spring;

import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.redis.RedisErrors;
import io.coalesce.redis.RedisTiers;
import java.time.Instant;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.lang.Nullable;

/**
 * Health of Coalesce, under the name {@code coalesce}. With no Redis configured, or Redis answering,
 * it is {@code UP}. When Redis does not answer (or the circuit breaker is open) it is
 * {@link #DEGRADED}, never {@code DOWN}: callers are still served, from L1 and the loaders, so the
 * instance must not be taken out of service for it. The check sends one {@code PING} through the
 * circuit breaker, which therefore also notices a failed Redis on an idle instance.
 */
public class CoalesceHealthIndicator implements HealthIndicator {

  /** Serving, without the shared tier: HTTP 200 unless the application maps it otherwise. */
  public static final Status DEGRADED = new Status("DEGRADED",
      "Redis is unavailable; Coalesce serves from L1 and the loaders (loads once per key per instance)");

  private final CoalescingCacheManager caches;
  private final RedisTiers redis;

  /**
   * @param redis the Redis tier, or {@code null} when there is none
   */
  public CoalesceHealthIndicator(CoalescingCacheManager caches, @Nullable RedisTiers redis) {
    this.caches = caches;
    this.redis = redis;
  }

  @Override
  public Health health() {
    if (redis == null) {
      return Health.up()
          .withDetail("redis", "not configured: every instance caches on its own (L1 only)")
          .withDetail("caches", caches.getCacheNames().size())
          .build();
    }
    boolean answers = redis.ping();
    RedisErrors errors = redis.errors();
    Health.Builder health = answers ? Health.up() : Health.status(DEGRADED);
    health.withDetail("redis", answers ? "available" : "unavailable")
        .withDetail("circuitBreaker", redis.guard().state())
        .withDetail("caches", caches.getCacheNames().size())
        .withDetail("errors", errors.failures())
        .withDetail("skippedByBreaker", errors.skipped());
    long since = errors.failingSinceMillis();
    if (!answers && since > 0) {
      health.withDetail("failingSince", Instant.ofEpochMilli(since).toString());
    }
    return health.build();
  }
}
