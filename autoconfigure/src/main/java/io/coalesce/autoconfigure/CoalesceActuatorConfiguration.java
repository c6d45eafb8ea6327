package io.coalesce.autoconfigure;

import io.coalesce.autoconfigure.internal.CoalesceHealth;
import io.coalesce.bloom.BloomFilters;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.metrics.CacheStatistics;
import io.coalesce.redis.internal.RedisTiers;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code coalesce} actuator endpoint and, on Spring Boot 4, the health indicator, when Spring
 * Boot Actuator is present (on Boot 3.5, {@code coalesce-spring-boot3-autoconfigure} adds the health
 * indicator). Expose the endpoint as any other
 * ({@code management.endpoints.web.exposure.include=health,coalesce}); turn the health indicator off
 * with {@code management.health.coalesce.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
class CoalesceActuatorConfiguration {

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(endpoint = CoalesceEndpoint.class)
  CoalesceEndpoint coalesceEndpoint(CoalescingCacheManager caches, ObjectProvider<CacheStatistics> statistics,
      ObjectProvider<RedisTiers> redis, ObjectProvider<BloomFilters> blooms) {
    return new CoalesceEndpoint(caches, statistics.getIfAvailable(() -> CacheStatistics.NONE),
        redis.getIfAvailable(), blooms.getIfAvailable());
  }

  /** Boot 4's health API ({@code org.springframework.boot.health}); absent on Boot 3.5. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  static class Boot4Health {

    @Bean
    @ConditionalOnMissingBean(name = "coalesceHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("coalesce")
    CoalesceHealthIndicator coalesceHealthIndicator(CoalescingCacheManager caches, ObjectProvider<RedisTiers> redis) {
      return new CoalesceHealthIndicator(new CoalesceHealth(caches, redis.getIfAvailable()));
    }

    /** Boot's redis indicator: DEGRADED, not DOWN, while Redis is only Coalesce's cache. */
    @Bean
    @ConditionalOnClass(name = "org.springframework.data.redis.connection.RedisConnectionFactory")
    static CacheOnlyRedisHealth coalesceCacheOnlyRedisHealth() {
      return new CacheOnlyRedisHealth();
    }
  }
}
