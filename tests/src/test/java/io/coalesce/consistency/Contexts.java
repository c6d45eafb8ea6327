package io.coalesce.consistency;

import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.test.RedisServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Application instances of the consistency tests: each a full Spring Boot context (own L1, own Redis
 * connections) on one shared Redis, with shared "database" objects registered as beans in every
 * context. Every instance gets {@code coalesce.key-prefix=cons} and its own {@code spring.application.name}.
 */
final class Contexts implements AutoCloseable {

  private final RedisServer redis;
  private final Map<String, Object> shared = new LinkedHashMap<>();
  private final List<ConfigurableApplicationContext> started = new ArrayList<>();

  Contexts(RedisServer redis) {
    this.redis = redis;
  }

  /** Registers {@code bean} under {@code name} in every context started afterwards. */
  Contexts share(String name, Object bean) {
    shared.put(name, bean);
    return this;
  }

  /** Starts one instance of {@code app} with {@code properties} on top of the common ones. */
  ConfigurableApplicationContext start(Class<?> app, String... properties) {
    List<String> all = new ArrayList<>();
    all.add("spring.data.redis.host=127.0.0.1");
    all.add("spring.data.redis.port=" + redis.port());
    all.add("coalesce.key-prefix=cons");
    all.add("spring.application.name=consistency-" + started.size());
    all.add("spring.main.banner-mode=off");
    all.addAll(List.of(properties));
    Map<String, Object> beans = Map.copyOf(shared);
    ConfigurableApplicationContext context = new SpringApplicationBuilder(app)
        .web(WebApplicationType.NONE)
        .initializers(c -> beans.forEach((name, bean) -> c.getBeanFactory().registerSingleton(name, bean)))
        .properties(all.toArray(String[]::new))
        .run();
    started.add(context);
    return context;
  }

  static CoalescingCacheManager caches(ConfigurableApplicationContext context) {
    return context.getBean(CoalescingCacheManager.class);
  }

  @Override
  public void close() {
    for (ConfigurableApplicationContext context : started) {
      try {
        context.close();
      } catch (RuntimeException e) {
        // closing the others matters more
      }
    }
    started.clear();
  }
}
