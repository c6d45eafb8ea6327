package io.coalesce.autoconfigure.internal;

import io.coalesce.autoconfigure.CoalesceProperties;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.ClassUtils;

/**
 * Whether the application uses Redis for more than Coalesce's cache, which decides what Spring Boot's
 * {@code redis} health indicator may say during an outage: an application that needs Redis keeps
 * Boot's {@code DOWN}; one whose Redis is only Coalesce's cache is {@code DEGRADED}, since it still
 * serves. {@code coalesce.redis.used-by-application} decides when set; otherwise the beans do: a bean
 * that depends on a Redis connection factory, directly or through a Redis template or Spring Data's
 * key-value plumbing, and is neither Coalesce's nor Boot's health check, is the application's use.
 * A use the bean factory cannot see (a template looked up lazily) needs the property.
 */
public final class RedisUsage {

  /** The bean name of Spring Boot's Redis health contributor, on Boot 4 and Boot 3.5. */
  public static final String BOOTS_REDIS_HEALTH = "redisHealthContributor";

  /** The detail added to Boot's redis health when a DOWN became DEGRADED. */
  public static final String NOTE = "only Coalesce uses this Redis, as a cache: while it is away the application "
      + "serves from L1 and the loaders, so this is DEGRADED, not DOWN (set coalesce.redis.used-by-application=true "
      + "if the application needs Redis to work)";

  private static final List<String> COALESCE_PACKAGES = List.of("io.coalesce.core.", "io.coalesce.local.",
      "io.coalesce.bloom.", "io.coalesce.redis.", "io.coalesce.spring.", "io.coalesce.autoconfigure.",
      "io.coalesce.metrics.");

  /**
   * Templates, listener containers and key-value plumbing: they use Redis on behalf of the beans
   * that depend on them (Boot creates some whether or not anything uses them).
   */
  private static final List<String> ACCESS_PACKAGES = List.of("org.springframework.data.redis.core.",
      "org.springframework.data.redis.listener.", "org.springframework.data.keyvalue.");

  /** Where Spring Data Redis 4.1 keeps the {@code @RedisListener} methods it found. */
  private static final String LISTENER_ENDPOINTS = "org.springframework.data.redis.config.internalRedisListenerEndpointRegistry";

  private static final Set<String> BOOTS_HEALTH_BEANS = Set.of(BOOTS_REDIS_HEALTH, "redisHealthIndicator");

  private final ConfigurableListableBeanFactory beans;

  public RedisUsage(ConfigurableListableBeanFactory beans) {
    this.beans = beans;
  }

  /** Whether a Redis outage should leave the application up: Redis is only Coalesce's cache. */
  public boolean onlyCoalesce() {
    CoalesceProperties properties = beans.getBeanProvider(CoalesceProperties.class).getIfAvailable();
    Boolean declared = properties == null ? null : properties.getRedis().getUsedByApplication();
    return declared != null ? !declared : applicationBeanUsingRedis().isEmpty();
  }

  /** The first bean found that uses Redis for the application, if any. */
  public Optional<String> applicationBeanUsingRedis() {
    if (beans.containsSingleton(LISTENER_ENDPOINTS) && AnnotatedListeners.exist(beans.getSingleton(LISTENER_ENDPOINTS))) {
      return Optional.of("@RedisListener methods");
    }
    Deque<String> users = new ArrayDeque<>(connectionFactories());
    Set<String> seen = new HashSet<>(users);
    while (!users.isEmpty()) {
      for (String dependent : beans.getDependentBeans(users.pop())) {
        if (!seen.add(dependent) || BOOTS_HEALTH_BEANS.contains(dependent)) {
          continue;
        }
        String type = typeName(dependent);
        if (startsWithAny(type, COALESCE_PACKAGES)) {
          continue;
        }
        if (!startsWithAny(type, ACCESS_PACKAGES)) {
          return Optional.of(dependent);
        }
        users.add(dependent);
      }
    }
    return Optional.empty();
  }

  private List<String> connectionFactories() {
    List<String> names = new ArrayList<>(List.of(beans.getBeanNamesForType(RedisConnectionFactory.class, true, false)));
    for (String name : beans.getBeanNamesForType(ReactiveRedisConnectionFactory.class, true, false)) {
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    return names;
  }

  /** The bean's class name, or "" when it cannot be told (then it counts as the application's). */
  private String typeName(String bean) {
    if (!beans.containsBean(bean)) {
      return "";
    }
    Class<?> type = beans.getType(bean, false);
    return type == null ? "" : ClassUtils.getUserClass(type).getName();
  }

  private static boolean startsWithAny(String name, List<String> prefixes) {
    return prefixes.stream().anyMatch(name::startsWith);
  }

  /** Touches Spring Data Redis 4.1's listener registry only when there is one (older lines lack the type). */
  private static final class AnnotatedListeners {
    static boolean exist(Object registry) {
      return registry instanceof org.springframework.data.redis.config.RedisListenerEndpointRegistry endpoints
          && !endpoints.getEndpoints().isEmpty();
    }
  }
}
