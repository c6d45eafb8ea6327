package io.coalesce.autoconfigure;

import io.coalesce.spring.CoalesceAdvisor;
import io.coalesce.spring.CoalesceSpringCacheManager;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.metrics.CacheInstrumentation;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Wires Coalesce into a Spring Boot application: the cache manager (the programmatic API, which
 * owns the executor of background refreshes) and the advisor that applies {@code @Coalesced},
 * {@code @CoalescedPut} and {@code @CoalescedEvict}; the Redis tier, metrics, the actuator endpoint
 * and the health indicator when the application has what they need. Each bean backs off when the application
 * defines its own. Off with {@code coalesce.enabled=false}: annotated methods then run uncached.
 */
@AutoConfiguration(afterName = {
    // Spring Boot 4
    "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
    "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
    "org.springframework.boot.jackson2.autoconfigure.Jackson2AutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
    // Spring Boot 3.5
    "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration",
    "org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
    "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"})
@ConditionalOnProperty(prefix = "coalesce", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(CoalesceProperties.class)
@Import({CoalesceProxyRegistrar.class, CoalesceRedisConfiguration.class, CoalesceBloomConfiguration.class,
    CoalesceMetricsConfiguration.class, CoalesceActuatorConfiguration.class, CoalesceWebConfiguration.class})
public class CoalesceAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(CoalescingCacheManager.class)
  DefaultCoalescingCacheManager coalescingCacheManager(CoalesceProperties properties,
      ObjectProvider<RemoteTierProvider> remoteTiers, ObjectProvider<CacheInstrumentation> instrumentation,
      ObjectProvider<PenetrationGuardProvider> guards) {
    CoalesceExecutors executors = CoalesceExecutors.create(properties.getRefresh());
    CoalescingCacheFactory factory = new CoalescingCacheFactory(properties, executors, Clock.systemUTC(),
        remoteTiers.getIfAvailable(), instrumentation.getIfAvailable(() -> CacheInstrumentation.NONE),
        guards.getIfAvailable());
    return new DefaultCoalescingCacheManager(factory, properties.getCaches().keySet(),
        properties.isStrictCacheNames(), executors::shutdown);
  }

  @Bean
  static DeclarationCheck coalesceDeclarationCheck(ConfigurableListableBeanFactory beans,
      ObjectProvider<CoalesceAdvisor> advisor) {
    return new DeclarationCheck(beans, advisor);
  }

  @Bean
  CoalesceStartupReport coalesceStartupReport(CoalesceProperties properties, ObjectProvider<CoalesceAdvisor> advisor,
      ObjectProvider<CoalescingCacheManager> manager, ObjectProvider<CoalesceSpringCacheManager> springCaches,
      ObjectProvider<RemoteTierProvider> remoteTiers) {
    return new CoalesceStartupReport(properties, advisor, manager, springCaches, remoteTiers.getIfAvailable());
  }

  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  static CoalesceAdvisor coalesceAdvisor(Environment environment,
      ObjectProvider<CoalescingCacheManager> cacheManager, ObjectProvider<ObservationRegistry> observations) {
    // Bound here rather than injected: an advisor is created with the post-processors, and the
    // properties bean would then be created too early to be post-processed itself.
    CoalesceProperties properties = Binder.get(environment).bindOrCreate("coalesce", CoalesceProperties.class);
    return new CoalesceAdvisor(cacheManager, properties.isStrictCacheNames(), properties.getCaches().keySet(),
        properties::settingsFor, observations);
  }
}
