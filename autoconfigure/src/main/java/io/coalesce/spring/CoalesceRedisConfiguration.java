package io.coalesce.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.redis.CircuitBreakerCallGuard;
import io.coalesce.redis.EntryCodec;
import io.coalesce.redis.JacksonEntryCodec;
import io.coalesce.redis.RedisCallGuard;
import io.coalesce.redis.RedisTiers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.autoconfigure.data.redis.LettuceClientOptionsBuilderCustomizer;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * The Redis L2 tier, present when the application has a {@link RedisConnectionFactory} (Spring
 * Boot creates one from {@code spring.data.redis.*}). Caches use it unless
 * {@code remote.enabled=false}. Every Redis command goes through the {@code coalesce-redis}
 * circuit breaker when Resilience4j is on the classpath.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({RedisConnectionFactory.class, ObjectMapper.class})
@ConditionalOnBean(RedisConnectionFactory.class)
class CoalesceRedisConfiguration {

  private static final String SPRING_REDIS_TIMEOUT = "spring.data.redis.timeout";

  @Bean
  @ConditionalOnMissingBean
  EntryCodec coalesceEntryCodec(ObjectProvider<ObjectMapper> objectMapper) {
    return new JacksonEntryCodec(objectMapper.getIfAvailable(() -> new ObjectMapper().findAndRegisterModules()));
  }

  @Bean
  @ConditionalOnMissingBean
  RedisTiers coalesceRedisTiers(RedisConnectionFactory connectionFactory, EntryCodec codec,
      CoalesceProperties properties, Environment environment, ObjectProvider<RedisCallGuard> guard) {
    String prefix = properties.getKeyPrefix() != null
        ? properties.getKeyPrefix()
        : environment.getProperty("spring.application.name", "app");
    return new RedisTiers(connectionFactory, prefix, codec, Clock.systemUTC(),
        guard.getIfAvailable(() -> RedisCallGuard.NONE));
  }

  @Bean
  RemoteTierProvider coalesceRemoteTiers(RedisTiers tiers) {
    return tiers::forCache;
  }

  /**
   * Delivers other instances' invalidations; re-subscribes by itself after a lost connection. An
   * unreachable Redis does not fail start-up: the subscription is retried in the background.
   */
  @Bean
  RedisEventsSubscription coalesceRedisEventsSubscription(RedisConnectionFactory connectionFactory,
      RedisTiers tiers, Environment environment) {
    String target = environment.getProperty("spring.data.redis.url",
        environment.getProperty("spring.data.redis.cluster.nodes",
            environment.getProperty("spring.data.redis.sentinel.nodes",
                environment.getProperty("spring.data.redis.host", "localhost") + ":"
                    + environment.getProperty("spring.data.redis.port", "6379"))));
    return new RedisEventsSubscription(connectionFactory, tiers.events(), target);
  }

  /** The timeout every Redis command gets: the application's own, or coalesce.redis.command-timeout. */
  static Duration commandTimeout(Environment environment, CoalesceProperties properties) {
    return Binder.get(environment).bind(SPRING_REDIS_TIMEOUT, Duration.class)
        .orElse(properties.getRedis().getCommandTimeout());
  }

  /**
   * Lettuce waits 60 s on a command by default and queues commands behind a dropped connection: a
   * dead Redis would then stall every caller. These customizers run before the application's own,
   * which can still override them.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.lettuce.core.RedisClient")
  static class LettuceFailFast {

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
  }

  /**
   * The circuit breaker {@code coalesce-redis}: the application's (so that
   * {@code resilience4j.circuitbreaker.instances.coalesce-redis.*} applies) when its registry has
   * that instance configured, otherwise one with Coalesce's defaults.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(CircuitBreaker.class)
  static class Breaker {

    @Bean
    @ConditionalOnMissingBean(RedisCallGuard.class)
    CircuitBreakerCallGuard coalesceRedisCircuitBreaker(ObjectProvider<CircuitBreakerRegistry> registry,
        CoalesceProperties properties, Environment environment) {
      var defaults = CircuitBreakerCallGuard.defaultConfig(commandTimeout(environment, properties));
      CircuitBreakerRegistry applications = registry.getIfAvailable();
      CircuitBreaker breaker = applications == null
          ? CircuitBreaker.of(CircuitBreakerCallGuard.NAME, defaults)
          : applications.find(CircuitBreakerCallGuard.NAME)
              .orElseGet(() -> applications.circuitBreaker(CircuitBreakerCallGuard.NAME, defaults));
      return new CircuitBreakerCallGuard(breaker);
    }
  }
}
