package io.coalesce.autoconfigure.boot3;

import io.coalesce.autoconfigure.CoalesceAutoConfiguration;
import io.coalesce.autoconfigure.CoalesceProperties;
import io.coalesce.autoconfigure.internal.CacheManagerCustomizing;
import io.coalesce.autoconfigure.internal.CoalesceHealth;
import io.coalesce.autoconfigure.internal.LettuceSettings;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.redis.internal.RedisTiers;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.cache.CacheManagerCustomizer;
import org.springframework.boot.autoconfigure.cache.CacheManagerCustomizers;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.data.redis.ClientResourcesBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * What Coalesce adds on Spring Boot 3.5 with the types Boot 3.5 has where Boot 4 moved them: the
 * {@code coalesce} health indicator and the Lettuce fail-fast settings. Each part stands down unless
 * its Boot 3.5 type is present, so on Boot 4 this configuration does nothing (Coalesce's main
 * auto-configuration provides both with Boot 4's types).
 */
@AutoConfiguration(after = CoalesceAutoConfiguration.class)
@ConditionalOnProperty(prefix = "coalesce", name = "enabled", havingValue = "true", matchIfMissing = true)
@ConditionalOnBean(CoalescingCacheManager.class)
public class CoalesceBoot3AutoConfiguration {

  /** Boot 3.5's health API ({@code org.springframework.boot.actuate.health}), gone in Boot 4. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"org.springframework.boot.actuate.health.HealthIndicator",
      "org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator"})
  static class Health {

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

  /**
   * Lettuce waits 60 s on a command by default and queues commands behind a dropped connection: a
   * dead Redis would then stall every caller. These customizers run before the application's own,
   * which can still override them.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"io.lettuce.core.RedisClient",
      "org.springframework.boot.autoconfigure.data.redis.LettuceClientConfigurationBuilderCustomizer"})
  static class LettuceFailFast {

    private static final String SPRING_REDIS_TIMEOUT = "spring.data.redis.timeout";

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    LettuceClientConfigurationBuilderCustomizer coalesceLettuceCommandTimeout(Environment environment,
        CoalesceProperties properties) {
      return builder -> {
        if (!environment.containsProperty(SPRING_REDIS_TIMEOUT)) {
          builder.commandTimeout(properties.getRedis().getCommandTimeout());
        }
      };
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    LettuceClientOptionsBuilderCustomizer coalesceLettuceRejectWhenDisconnected(CoalesceProperties properties) {
      return builder -> {
        if (properties.getRedis().isFailFastWhenDisconnected()) {
          builder.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS);
        }
      };
    }

    /** A Redis Cluster client follows a failover ({@link LettuceSettings#followClusterFailovers}). */
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    LettuceClientOptionsBuilderCustomizer coalesceLettuceClusterRefresh(Environment environment) {
      return builder -> LettuceSettings.followClusterFailovers(builder, environment);
    }

    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    ClientResourcesBuilderCustomizer coalesceLettuceReconnectDelay(CoalesceProperties properties) {
      return builder -> builder.reconnectDelay(LettuceSettings.reconnectDelay(properties.getRedis().getMaxReconnectDelay()));
    }
  }

  /** Boot 3.5's cache manager customizers, for the Spring cache manager bridge (coalesce.spring-cache). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.autoconfigure.cache.CacheManagerCustomizers")
  @ConditionalOnProperty(prefix = "coalesce.spring-cache", name = "enabled", havingValue = "true")
  static class CacheCustomizers {

    @Bean
    CacheManagerCustomizing coalesceCacheManagerCustomizers(ObjectProvider<CacheManagerCustomizer<?>> customizers) {
      CacheManagerCustomizers all = new CacheManagerCustomizers(customizers.orderedStream().toList());
      return all::customize;
    }
  }
}
