package io.coalesce.autoconfigure;

import io.coalesce.autoconfigure.internal.RedisUsage;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * On Spring Boot 4, keeps Boot's {@code redis} health indicator (brought in by the starter's Spring
 * Data Redis) from turning the application DOWN when Redis is only Coalesce's cache: its
 * {@code DOWN} becomes {@link CoalesceHealthIndicator#DEGRADED}, with Boot's details and a note, so
 * load balancers keep an instance that still serves. See {@link RedisUsage} for when it applies. With
 * several Redis connection factories Boot reports a composite, which is left as it is.
 */
final class CacheOnlyRedisHealth implements BeanPostProcessor, BeanFactoryAware {

  private RedisUsage usage;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    usage = new RedisUsage((ConfigurableListableBeanFactory) beanFactory);
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String name) {
    if (!RedisUsage.BOOTS_REDIS_HEALTH.equals(name)) {
      return bean;
    }
    if (bean instanceof HealthIndicator blocking) {
      return (HealthIndicator) () -> degradeIfCacheOnly(blocking.health());
    }
    if (bean instanceof ReactiveHealthIndicator reactive) {
      return (ReactiveHealthIndicator) () -> reactive.health().map(this::degradeIfCacheOnly);
    }
    return bean;
  }

  private Health degradeIfCacheOnly(Health health) {
    if (!Status.DOWN.equals(health.getStatus()) || !usage.onlyCoalesce()) {
      return health;
    }
    return Health.status(CoalesceHealthIndicator.DEGRADED).withDetails(health.getDetails())
        .withDetail("coalesce", RedisUsage.NOTE).build();
  }
}
