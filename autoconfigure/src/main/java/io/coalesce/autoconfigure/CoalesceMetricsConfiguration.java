package io.coalesce.autoconfigure;

import io.coalesce.metrics.MicrometerCacheInstrumentation;
import io.coalesce.metrics.CacheInstrumentation;
import io.coalesce.metrics.CacheStatistics;
import io.coalesce.redis.internal.RedisTiers;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer metrics of every cache, when the application has a {@link MeterRegistry} (Spring Boot
 * Actuator creates one): the pinned {@code coalesce.*} meters, the L1's {@code cache.*} meters and
 * {@code coalesce.redis.errors}. Without a registry the engine's listener is a no-op.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
class CoalesceMetricsConfiguration {

  @Bean
  @ConditionalOnMissingBean
  CacheInstrumentation coalesceCacheInstrumentation(MeterRegistry registry, ObjectProvider<RedisTiers> redisTiers) {
    MicrometerCacheInstrumentation instrumentation = new MicrometerCacheInstrumentation(registry);
    // Redis errors are counted where the tier reports them; bound here, with the caches' meters.
    redisTiers.ifAvailable(tiers -> tiers.subscribe(instrumentation.redisErrorCounter()));
    return instrumentation;
  }

  @Bean
  @ConditionalOnMissingBean
  CacheStatistics coalesceCacheStatistics(MeterRegistry registry) {
    return MicrometerCacheInstrumentation.statistics(registry);
  }
}
