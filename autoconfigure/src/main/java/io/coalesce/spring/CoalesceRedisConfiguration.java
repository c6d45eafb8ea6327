package io.coalesce.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.redis.EntryCodec;
import io.coalesce.redis.JacksonEntryCodec;
import io.coalesce.redis.RedisTiers;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * The Redis L2 tier, present when the application has a {@link RedisConnectionFactory} (Spring
 * Boot creates one from {@code spring.data.redis.*}). Caches use it unless
 * {@code remote.enabled=false}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass({RedisConnectionFactory.class, ObjectMapper.class})
@ConditionalOnBean(RedisConnectionFactory.class)
class CoalesceRedisConfiguration {

  @Bean
  @ConditionalOnMissingBean
  EntryCodec coalesceEntryCodec(ObjectProvider<ObjectMapper> objectMapper) {
    return new JacksonEntryCodec(objectMapper.getIfAvailable(() -> new ObjectMapper().findAndRegisterModules()));
  }

  @Bean
  @ConditionalOnMissingBean
  RedisTiers coalesceRedisTiers(RedisConnectionFactory connectionFactory, EntryCodec codec,
      CoalesceProperties properties, Environment environment) {
    String prefix = properties.getKeyPrefix() != null
        ? properties.getKeyPrefix()
        : environment.getProperty("spring.application.name", "app");
    return new RedisTiers(connectionFactory, prefix, codec, Clock.systemUTC());
  }

  @Bean
  RemoteTierProvider coalesceRemoteTiers(RedisTiers tiers) {
    return tiers::forCache;
  }

  /** Delivers other instances' invalidations; re-subscribes by itself after a lost connection. */
  @Bean
  RedisMessageListenerContainer coalesceRedisListenerContainer(RedisConnectionFactory connectionFactory,
      RedisTiers tiers) {
    RedisMessageListenerContainer container = new RedisMessageListenerContainer();
    container.setConnectionFactory(connectionFactory);
    container.setRecoveryInterval(1_000);
    container.addMessageListener(tiers.events(), new ChannelTopic(new String(tiers.events().channel(),
        java.nio.charset.StandardCharsets.UTF_8)));
    return container;
  }
}
