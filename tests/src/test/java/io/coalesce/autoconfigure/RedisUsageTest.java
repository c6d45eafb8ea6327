package io.coalesce.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.autoconfigure.internal.RedisUsage;
import io.coalesce.it.Boot;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Which applications use Redis for more than Coalesce, as the health of Boot's {@code redis}
 * indicator depends on it (the outage itself is in {@code RedisOutageHealthIT}). No Redis needed:
 * the answer comes from the bean factory.
 */
class RedisUsageTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(Boot.redis())
      .withConfiguration(Boot.coalesce())
      .withPropertyValues("spring.data.redis.port=1");

  @Configuration(proxyBeanMethods = false)
  static class SessionStore {
    @Bean
    Object sessionStore(StringRedisTemplate redis) {
      return new Object();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class SpringCacheOverRedis {
    @Bean
    RedisCacheManager cacheManager(RedisConnectionFactory redis) {
      return RedisCacheManager.create(redis);
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class PubSub {
    @Bean
    RedisMessageListenerContainer listenerContainer(RedisConnectionFactory redis) {
      RedisMessageListenerContainer container = new RedisMessageListenerContainer();
      container.setConnectionFactory(redis);
      return container;
    }

    @Bean
    Object priceListener(@Qualifier("listenerContainer") RedisMessageListenerContainer container) {
      return new Object();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class LazyLookup {
    @Bean
    Object lazyUser(ObjectProvider<StringRedisTemplate> redis) {
      return new Object();
    }
  }

  @Test
  void aRedisOnlyCoalesceUsesIsNotTheApplications() {
    runner.run(context -> {
      RedisUsage usage = new RedisUsage(context.getBeanFactory());
      assertThat(usage.applicationBeanUsingRedis()).isEmpty();
      assertThat(usage.onlyCoalesce()).isTrue();
    });
  }

  @Test
  void aBeanUsingBootsTemplateASpringCacheOrAListenerContainerIsTheApplicationsUse() {
    runner.withUserConfiguration(SessionStore.class).run(context ->
        assertThat(new RedisUsage(context.getBeanFactory()).applicationBeanUsingRedis()).contains("sessionStore"));
    runner.withUserConfiguration(SpringCacheOverRedis.class).run(context ->
        assertThat(new RedisUsage(context.getBeanFactory()).applicationBeanUsingRedis()).contains("cacheManager"));
    runner.withUserConfiguration(PubSub.class).run(context ->
        assertThat(new RedisUsage(context.getBeanFactory()).applicationBeanUsingRedis()).contains("priceListener"));
  }

  @Test
  void aLazyLookupIsInvisibleSoThePropertySaysIt() {
    runner.withUserConfiguration(LazyLookup.class).run(context ->
        assertThat(new RedisUsage(context.getBeanFactory()).onlyCoalesce()).isTrue());
    runner.withUserConfiguration(LazyLookup.class).withPropertyValues("coalesce.redis.used-by-application=true")
        .run(context -> assertThat(new RedisUsage(context.getBeanFactory()).onlyCoalesce()).isFalse());
    runner.withUserConfiguration(SessionStore.class).withPropertyValues("coalesce.redis.used-by-application=false")
        .run(context -> assertThat(new RedisUsage(context.getBeanFactory()).onlyCoalesce()).isTrue());
  }
}
