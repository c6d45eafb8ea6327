package io.coalesce.autoconfigure;

import io.coalesce.autoconfigure.internal.CacheManagerCustomizing;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.spring.CacheableFenceAdvisor;
import io.coalesce.spring.CoalesceSpringCacheManager;
import io.coalesce.spring.SpringCacheValueTypes;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizer;
import org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.cache.CacheManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Role;
import org.springframework.core.env.Environment;

/**
 * With {@code coalesce.spring-cache.enabled=true}, the application's Spring {@link CacheManager} is
 * Coalesce's ({@link CoalesceSpringCacheManager}): Spring's {@code @Cacheable}, {@code @CachePut} and
 * {@code @CacheEvict} then go through Coalesce's caches. It takes the place of the cache manager
 * Boot's cache auto-configuration would create, and stands down when the application defines its own.
 * Boot's {@code CacheManagerCustomizer}s apply to it, and the caches named by
 * {@code spring.cache.cache-names} are created at start-up.
 */
@AutoConfiguration(after = CoalesceAutoConfiguration.class, beforeName = {
    "org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration", // Spring Boot 4
    "org.springframework.boot.autoconfigure.cache.CacheAutoConfiguration"}) // Spring Boot 3.5
@ConditionalOnProperty(prefix = "coalesce.spring-cache", name = "enabled", havingValue = "true")
@ConditionalOnBean(CoalescingCacheManager.class)
public class CoalesceSpringCacheAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(CacheManager.class)
  CoalesceSpringCacheManager cacheManager(CoalescingCacheManager caches, ConfigurableListableBeanFactory beans,
      Environment environment, ObjectProvider<CacheManagerCustomizing> customizing) {
    CoalesceSpringCacheManager manager = new CoalesceSpringCacheManager(caches,
        () -> SpringCacheValueTypes.of(BeanTypes.of(beans, name -> true)));
    manager.createAtStartUp(Binder.get(environment).bind("spring.cache.cache-names", Bindable.listOf(String.class))
        .orElse(List.of()));
    customizing.orderedStream().forEach(c -> c.customize(manager));
    return manager;
  }

  /**
   * Makes what a {@code @Cacheable} method without {@code sync} puts after a miss a fenced load, not a
   * write ({@link CacheableFenceAdvisor}); an infrastructure bean, as advisors are created before
   * ordinary beans.
   */
  @Bean
  @Role(BeanDefinition.ROLE_INFRASTRUCTURE)
  static CacheableFenceAdvisor coalesceCacheableFenceAdvisor() {
    return new CacheableFenceAdvisor();
  }

  /** Boot 4's customizers ({@code org.springframework.boot.cache.autoconfigure}). */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.cache.autoconfigure.CacheManagerCustomizers")
  static class Boot4Customizers {

    @Bean
    CacheManagerCustomizing coalesceCacheManagerCustomizers(ObjectProvider<CacheManagerCustomizer<?>> customizers) {
      CacheManagerCustomizers all = new CacheManagerCustomizers(customizers.orderedStream().toList());
      return all::customize;
    }
  }
}
