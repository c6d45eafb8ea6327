package io.coalesce.autoconfigure;

import io.coalesce.bloom.BloomFilters;
import io.coalesce.bloom.BloomSeed;
import io.coalesce.redis.internal.RedisTiers;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Bloom filter guards ({@code coalesce.caches.<name>.bloom.enabled}), present when Guava is on
 * the classpath (the starter brings it). Filters are shared through Redis when the application has
 * the Redis tier, otherwise kept in each instance; seeding starts when the context has started.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "com.google.common.hash.BloomFilter")
class CoalesceBloomConfiguration {

  /** How often each filter re-reads the shared state, and retries a seeding that failed. */
  static final Duration REFRESH_PERIOD = Duration.ofSeconds(2);

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  BloomFilters coalesceBloomFilters(ObjectProvider<BloomSeed> seeds, ObjectProvider<RedisTiers> redis) {
    RedisTiers tiers = redis.getIfAvailable();
    return new BloomFilters(seeds.orderedStream().toList(), tiers == null ? null : tiers::bloomFor, REFRESH_PERIOD,
        Clock.systemUTC());
  }

  @Bean
  PenetrationGuardProvider coalescePenetrationGuards(BloomFilters filters) {
    return filters::guardFor;
  }

  /**
   * Starts seeding once every bean (the seeds' repositories included) is ready, and stops it at
   * shutdown before the Redis connection closes (the default phase is the last to start, the first
   * to stop), so that a build cut short by the shutdown is not logged as a failure.
   */
  @Bean
  SmartLifecycle coalesceBloomSeeding(BloomFilters filters) {
    return LifecycleHooks.of(filters::start, filters::stop);
  }
}
