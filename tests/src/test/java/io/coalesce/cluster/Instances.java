package io.coalesce.cluster;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import io.coalesce.it.Boot;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Several instances of one application, each a full Spring Boot context with its own L1 and its own
 * Redis connections, sharing one Redis and one {@link ProductDb}.
 */
public final class Instances implements AutoCloseable {

  @SpringBootConfiguration
  @EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3})
  static class App {
    @Bean
    ProductService productService(ProductDb db) {
      return new ProductService(db);
    }

    @Bean
    ReactiveProductService reactiveProductService(ProductDb db) {
      return new ReactiveProductService(db);
    }
  }

  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

  /** Starts {@code count} instances connected to Redis at {@code redisProperties}. */
  public static Instances start(int count, ProductDb db, String... properties) {
    Instances instances = new Instances();
    for (int i = 0; i < count; i++) {
      String[] all = new String[properties.length + 2];
      System.arraycopy(properties, 0, all, 0, properties.length);
      all[properties.length] = "coalesce.key-prefix=it";
      all[properties.length + 1] = "spring.application.name=instance-" + i;
      instances.contexts.add(new SpringApplicationBuilder(App.class)
          .web(WebApplicationType.NONE)
          .initializers(context -> context.getBeanFactory().registerSingleton("productDb", db))
          .properties(all)
          .run());
    }
    return instances;
  }

  public ReactiveProductService reactive(int instance) {
    return contexts.get(instance).getBean(ReactiveProductService.class);
  }

  public ProductService service(int instance) {
    return contexts.get(instance).getBean(ProductService.class);
  }

  public ConfigurableApplicationContext context(int instance) {
    return contexts.get(instance);
  }

  public int size() {
    return contexts.size();
  }

  @Override
  public void close() {
    contexts.forEach(ConfigurableApplicationContext::close);
  }
}
