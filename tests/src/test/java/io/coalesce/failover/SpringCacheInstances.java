package io.coalesce.failover;

import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductDb.Product;
import io.coalesce.it.Boot;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.cache.RedisCacheConfiguration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.serializer.RedisSerializationContext.SerializationPair;
import org.springframework.data.redis.serializer.RedisSerializer;

/**
 * What a Spring user has without Coalesce, for the same-run comparison: Spring's cache annotations
 * over Boot's {@code RedisCacheManager} (no L1, no pub/sub), on the same Sentinel topology, each
 * instance a context of its own without Coalesce's auto-configuration.
 */
final class SpringCacheInstances implements AutoCloseable {

  @SpringBootConfiguration
  @EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3,
      "io.coalesce.autoconfigure.CoalesceAutoConfiguration"})
  @EnableCaching
  static class App {

    @Bean
    SpringProducts springProducts(ProductDb db) {
      return new SpringProducts(db);
    }

    @Bean
    RedisCacheManager cacheManager(RedisConnectionFactory connections) {
      return RedisCacheManager.builder(connections).cacheDefaults(RedisCacheConfiguration.defaultCacheConfig()
          .entryTtl(Duration.ofMinutes(10)).serializeValuesWith(SerializationPair.fromSerializer(new ProductText())))
          .build();
    }
  }

  /** The cached repository, as a Spring user writes it. */
  public static class SpringProducts {

    private final ProductDb db;

    public SpringProducts(ProductDb db) {
      this.db = db;
    }

    @Cacheable(cacheNames = "spring-products", key = "#id")
    public Product find(long id) {
      return db.find(id);
    }

    @CacheEvict(cacheNames = "spring-products", key = "#id")
    public void rename(long id, String name) {
      db.put(id, name);
    }

    @CachePut(cacheNames = "spring-products", key = "#id")
    public Product save(long id, String name) {
      db.put(id, name);
      return new Product(id, name);
    }
  }

  /** A product as {@code id|name}: the same on every Boot line, whatever its Jackson. */
  static final class ProductText implements RedisSerializer<Object> {

    @Override
    public byte[] serialize(Object value) {
      Product product = (Product) value;
      return (product.id() + "|" + product.name()).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public Object deserialize(byte[] bytes) {
      if (bytes == null) {
        return null;
      }
      String text = new String(bytes, StandardCharsets.UTF_8);
      int bar = text.indexOf('|');
      return new Product(Long.parseLong(text.substring(0, bar)), text.substring(bar + 1));
    }
  }

  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

  static SpringCacheInstances start(int count, ProductDb db, String... properties) {
    SpringCacheInstances instances = new SpringCacheInstances();
    for (int i = 0; i < count; i++) {
      instances.contexts.add(new SpringApplicationBuilder(App.class)
          .web(WebApplicationType.NONE)
          .initializers(context -> context.getBeanFactory().registerSingleton("productDb", db))
          .properties(properties)
          .properties("spring.application.name=spring-instance-" + i)
          .run());
    }
    return instances;
  }

  int size() {
    return contexts.size();
  }

  SpringProducts products(int instance) {
    return contexts.get(instance).getBean(SpringProducts.class);
  }

  @Override
  public void close() {
    contexts.forEach(ConfigurableApplicationContext::close);
  }
}
