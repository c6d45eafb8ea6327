package io.coalesce.autoconfigure;

import io.coalesce.autoconfigure.internal.LettuceSettings;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.RemoteTier;
import io.coalesce.redis.EntryCodec;
import io.coalesce.redis.internal.CircuitBreakerCallGuard;
import io.coalesce.redis.internal.RedisCallGuard;
import io.coalesce.redis.internal.RedisEventsSubscription;
import io.coalesce.redis.internal.RedisTiers;
import io.coalesce.redis.internal.SentinelWatch;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * The Redis L2 tier, present when the application has a {@link RedisConnectionFactory} (Spring
 * Boot creates one from {@code spring.data.redis.*}). Caches use it unless
 * {@code remote.enabled=false}. Every Redis command goes through the {@code coalesce-redis}
 * circuit breaker when Resilience4j is on the classpath. Values are written as JSON with the
 * application's Jackson: Jackson 3 on Spring Boot 4, Jackson 2 on Boot 3.5.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(RedisConnectionFactory.class)
@ConditionalOnBean(RedisConnectionFactory.class)
class CoalesceRedisConfiguration {

  static final String SPRING_REDIS_TIMEOUT = "spring.data.redis.timeout";

  /**
   * The codec, unless the application defines an {@code EntryCodec}: Jackson with the application's
   * mapper (its modules, naming and date settings apply), tried in this order: a Jackson 3
   * {@code JsonMapper} bean (Boot 4), a Jackson 2 {@code ObjectMapper} bean (Boot 3.5, or Boot 4 with
   * spring-boot-jackson2), then whichever Jackson is on the class path with its defaults.
   */
  @Bean
  @ConditionalOnMissingBean
  EntryCodec coalesceEntryCodec(BeanFactory beans, CoalesceProperties properties) {
    List<String> trusted = List.copyOf(properties.getRedis().getTrustedPackages());
    ClassLoader loader = getClass().getClassLoader();
    boolean jackson3 = ClassUtils.isPresent("tools.jackson.databind.json.JsonMapper", loader);
    boolean jackson2 = ClassUtils.isPresent("com.fasterxml.jackson.databind.ObjectMapper", loader);
    EntryCodec codec = jackson3 ? JacksonCodecs.Jackson3.fromBean(beans, trusted) : null;
    if (codec == null && jackson2) {
      codec = JacksonCodecs.Jackson2.fromBean(beans, trusted);
    }
    if (codec == null && (jackson3 || jackson2)) {
      codec = jackson3 ? JacksonCodecs.Jackson3.withDefaults(trusted) : JacksonCodecs.Jackson2.withDefaults(trusted);
    }
    if (codec == null) {
      throw new IllegalStateException("Coalesce stores values in Redis as JSON and needs Jackson: add "
          + "spring-boot-starter-json (Jackson 3 on Boot 4, Jackson 2 on Boot 3.5), or define an EntryCodec bean");
    }
    return codec;
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  RedisTiers coalesceRedisTiers(RedisConnectionFactory connectionFactory, EntryCodec codec,
      CoalesceProperties properties, Environment environment, ObjectProvider<RedisCallGuard> guard) {
    String prefix = properties.getKeyPrefix() != null
        ? properties.getKeyPrefix()
        : environment.getProperty("spring.application.name", "app");
    RedisTiers tiers = new RedisTiers(connectionFactory, prefix, codec, Clock.systemUTC(), guard.getIfAvailable());
    if (ClassUtils.isPresent("io.lettuce.core.RedisClient", getClass().getClassLoader())) {
      LettuceSettings.refreshClusterTopologyOnRecovery(connectionFactory, tiers);
    }
    return tiers;
  }

  @Bean
  RemoteTierProvider coalesceRemoteTiers(RedisTiers tiers, RedisConnectionFactory connectionFactory) {
    String description = "Redis at " + RedisTarget.describe(connectionFactory);
    return new RemoteTierProvider() {
      @Override
      public RemoteTier forCache(String name, CacheSettings settings) {
        return tiers.forCache(name, settings);
      }

      @Override
      public String describe() {
        return description;
      }
    };
  }

  /**
   * Delivers other instances' invalidations; re-subscribes by itself after a lost connection. An
   * unreachable Redis does not fail start-up: the subscription is retried in the background.
   */
  @Bean
  RedisEventsSubscription coalesceRedisEventsSubscription(RedisConnectionFactory connectionFactory,
      RedisTiers tiers) {
    return new RedisEventsSubscription(connectionFactory, tiers.events(), RedisTarget.describe(connectionFactory));
  }

  /**
   * Stops probing a failing Redis at shutdown before the connection factory stops (the default phase
   * is the first to stop), so that no probe is still connecting when the client shuts down.
   */
  @Bean
  SmartLifecycle coalesceRedisProbeLifecycle(RedisTiers tiers) {
    return LifecycleHooks.of(() -> {}, tiers::stopProbing);
  }

  /**
   * With Lettuce and Sentinel ({@code spring.data.redis.sentinel.*}, or an application's own
   * {@link LettuceConnectionFactory} with a sentinel configuration): follows a failover the client does
   * not notice, as after a manual {@code SENTINEL FAILOVER}, within about a second (see
   * {@link SentinelWatch}). Jedis's sentinel pool follows by itself.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "io.lettuce.core.RedisClient")
  static class LettuceSentinel {

    @Bean
    SmartLifecycle coalesceSentinelWatch(RedisConnectionFactory connectionFactory, RedisTiers tiers,
        RedisEventsSubscription subscription) {
      if (connectionFactory instanceof LettuceConnectionFactory lettuce && lettuce.isRedisSentinelAware()
          && lettuce.getSentinelConfiguration().getMaster() != null) {
        return new SentinelWatch(lettuce, lettuce.getSentinelConfiguration().getMaster().getName(), tiers,
            subscription, lettuce::resetConnection);
      }
      return LifecycleHooks.of(() -> {}, () -> {});
    }
  }

  /** The timeout every Redis command gets: the application's own, or coalesce.redis.command-timeout. */
  static Duration commandTimeout(Environment environment, CoalesceProperties properties) {
    return Binder.get(environment).bind(SPRING_REDIS_TIMEOUT, Duration.class)
        .orElse(properties.getRedis().getCommandTimeout());
  }

  /**
   * Lettuce waits 60 s on a command by default and queues commands behind a dropped connection: a
   * dead Redis would then stall every caller. These customizers run before the application's own,
   * which can still override them. Spring Boot 4's types; coalesce-spring-boot3-autoconfigure
   * registers the same with Boot 3.5's.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"io.lettuce.core.RedisClient",
      "org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer"})
  static class Boot4LettuceFailFast {

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
    org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer coalesceLettuceReconnectDelay(
        CoalesceProperties properties) {
      return builder -> builder.reconnectDelay(LettuceSettings.reconnectDelay(properties.getRedis().getMaxReconnectDelay()));
    }
  }

  /**
   * The circuit breaker {@code coalesce-redis}: from the application's {@link CircuitBreakerRegistry}
   * when it has one (resilience4j-spring-boot3 or -spring-boot4 makes one from
   * {@code resilience4j.circuitbreaker.*}), otherwise one with Coalesce's defaults.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(CircuitBreaker.class)
  static class Breaker {

    private static final String INSTANCE_PROPERTIES =
        "resilience4j.circuitbreaker.instances." + CircuitBreakerCallGuard.NAME;

    @Bean
    @ConditionalOnMissingBean(RedisCallGuard.class)
    CircuitBreakerCallGuard coalesceRedisCircuitBreaker(ObjectProvider<CircuitBreakerRegistry> registry,
        CoalesceProperties properties, Environment environment) {
      var defaults = CircuitBreakerCallGuard.defaultConfig(commandTimeout(environment, properties));
      CircuitBreakerRegistry applications = registry.getIfAvailable();
      if (applications == null) {
        requireNoInstanceProperties(environment);
        return new CircuitBreakerCallGuard(CircuitBreaker.of(CircuitBreakerCallGuard.NAME, defaults));
      }
      return new CircuitBreakerCallGuard(applications.find(CircuitBreakerCallGuard.NAME)
          .orElseGet(() -> applications.circuitBreaker(CircuitBreakerCallGuard.NAME, defaults)));
    }

    /** Properties for the breaker that nothing would read must not be ignored silently. */
    private static void requireNoInstanceProperties(Environment environment) {
      boolean configured = Binder.get(environment)
          .bind(INSTANCE_PROPERTIES, Bindable.mapOf(String.class, Object.class))
          .map(Map::isEmpty).map(empty -> !empty).orElse(false);
      if (configured) {
        throw new IllegalStateException(INSTANCE_PROPERTIES + ".* is set, but no CircuitBreakerRegistry bean "
            + "exists to read it, so Coalesce would ignore it. Add io.github.resilience4j:resilience4j-spring-boot4 "
            + "(Spring Boot 4) or resilience4j-spring-boot3 (Boot 3.5), or remove those properties");
      }
    }
  }
}
