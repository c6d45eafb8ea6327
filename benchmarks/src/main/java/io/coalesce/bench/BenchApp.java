package io.coalesce.bench;

import tools.jackson.databind.json.JsonMapper;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.cache.RedisCacheWriter;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.serializer.JacksonJsonRedisSerializer;
import org.springframework.data.redis.serializer.RedisSerializationContext.SerializationPair;

/**
 * One application with both caching stacks: Coalesce (auto-configured by the starter) and Spring's
 * cache abstraction ({@code @EnableCaching}) over Caffeine and over Redis, so every comparison runs
 * in the same JVM, against the same Redis, in the same run.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableCaching
public class BenchApp {

  static final String CAFFEINE = "caffeineCacheManager";
  static final String REDIS = "redisCacheManager";
  /** The Spring cache of a whole batch's list (its values are lists, not products). */
  static final String BATCH_LIST = "batchList";
  static final String REDIS_LOCKING = "redisLockingCacheManager";
  /** Caffeine in async mode: what Spring 6.1+ needs for {@code @Cacheable} on a {@code Mono}. */
  static final String CAFFEINE_ASYNC = "caffeineAsyncCacheManager";

  @Bean
  CoalescedCatalog coalescedCatalog(Backend backend) {
    return new CoalescedCatalog(backend);
  }

  /** With {@code bench.bloom.seed=N}: the SKUs {@code sku-0} to {@code sku-(N-1)} exist. */
  @Bean
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty("bench.bloom.seed")
  io.coalesce.bloom.BloomSeed existingSkus(@Value("${bench.bloom.seed}") long count) {
    return io.coalesce.bloom.BloomSeed.of("products",
        () -> java.util.stream.LongStream.range(0, count).mapToObj(i -> "sku-" + i));
  }

  /** With {@code bench.metrics=true}: Coalesce's meters, to count the callers that waited for a load. */
  @Bean
  @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty("bench.metrics")
  io.micrometer.core.instrument.MeterRegistry meterRegistry() {
    return new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
  }

  @Bean
  SpringCatalog springCatalog(Backend backend) {
    return new SpringCatalog(backend);
  }

  /** Spring's ttl (expire after write) is {@code bench.spring.ttl}, Coalesce's {@code coalesce.*}. */
  @Bean(CAFFEINE)
  @Primary
  CaffeineCacheManager caffeineCacheManager(@Value("${bench.spring.ttl:10m}") Duration ttl) {
    CaffeineCacheManager manager = new CaffeineCacheManager();
    manager.setCaffeine(Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(ttl));
    return manager;
  }

  @Bean(CAFFEINE_ASYNC)
  CaffeineCacheManager caffeineAsyncCacheManager(@Value("${bench.spring.ttl:10m}") Duration ttl) {
    CaffeineCacheManager manager = new CaffeineCacheManager();
    manager.setCaffeine(Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(ttl));
    manager.setAsyncCacheMode(true);
    return manager;
  }

  @Bean(REDIS)
  RedisCacheManager redisCacheManager(RedisConnectionFactory connections, JsonMapper mapper,
      @Value("${bench.spring.ttl:10m}") Duration ttl) {
    return RedisCacheManager.builder(connections).cacheDefaults(redisConfig(mapper, ttl))
        .withCacheConfiguration(BATCH_LIST, RedisCacheConfiguration.defaultCacheConfig().entryTtl(ttl)
            .prefixCacheNameWith("spring:").serializeValuesWith(SerializationPair.fromSerializer(
                new JacksonJsonRedisSerializer<>(mapper,
                    mapper.getTypeFactory().constructCollectionType(List.class, Product.class)))))
        .build();
  }

  /** The same, over the locking writer (a lock per cache name, taken around every load and put). */
  @Bean(REDIS_LOCKING)
  RedisCacheManager redisLockingCacheManager(RedisConnectionFactory connections, JsonMapper mapper,
      @Value("${bench.spring.ttl:10m}") Duration ttl) {
    return RedisCacheManager.builder(RedisCacheWriter.lockingRedisCacheWriter(connections))
        .cacheDefaults(redisConfig(mapper, ttl)).build();
  }

  private static RedisCacheConfiguration redisConfig(JsonMapper mapper, Duration ttl) {
    return RedisCacheConfiguration.defaultCacheConfig()
        .entryTtl(ttl)
        .prefixCacheNameWith("spring:")
        .serializeValuesWith(SerializationPair.fromSerializer(new JacksonJsonRedisSerializer<>(mapper, Product.class)));
  }

  /**
   * Starts one instance against {@code redis}. {@code properties} come after the defaults below, so
   * they override them.
   */
  static ConfigurableApplicationContext start(LocalRedis redis, Backend backend, String name, String... properties) {
    List<String> all = new ArrayList<>(List.of(
        "spring.main.banner-mode=off",
        "logging.level.root=WARN",
        "logging.level.io.coalesce=WARN",
        "spring.application.name=" + name,
        "coalesce.key-prefix=bench",
        "coalesce.caches.hot.ttl=10m",
        "coalesce.caches.hotIds.ttl=10m",
        "coalesce.caches.remote.ttl=10m",
        "coalesce.caches.remote.local.enabled=false",
        "coalesce.caches.cold.ttl=10m",
        "coalesce.caches.cold.local.maximum-size=10000",
        "coalesce.caches.reactiveHot.ttl=10m",
        "coalesce.caches.reactiveCold.ttl=10m",
        "coalesce.caches.reactiveCold.local.maximum-size=10000",
        "coalesce.caches.reactiveColdLocal.ttl=10m",
        "coalesce.caches.reactiveColdLocal.local.maximum-size=10000",
        "coalesce.caches.reactiveColdLocal.remote.enabled=false"));
    all.addAll(List.of(redis.springProperties()));
    all.addAll(List.of(properties));
    return new SpringApplicationBuilder(BenchApp.class)
        .web(WebApplicationType.NONE)
        .initializers(context -> context.getBeanFactory().registerSingleton("backend", backend))
        .properties(all.toArray(String[]::new))
        .run();
  }
}
