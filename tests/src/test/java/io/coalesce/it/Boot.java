package io.coalesce.it;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.util.ClassUtils;

/**
 * What differs between the Spring Boot lines the suite runs on, named once: auto-configuration
 * classes that Boot 4 moved (each constant names the Boot 4 and the Boot 3.5 class; only the one on
 * the class path is used) and the health API. The tests themselves are the same on every line.
 */
public final class Boot {

  public static final String REDIS_4 = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration";
  public static final String REDIS_3 = "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration";
  public static final String DATA_SOURCE_4 = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";
  public static final String DATA_SOURCE_3 = "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration";
  public static final String HIBERNATE_4 = "org.springframework.boot.hibernate.autoconfigure.HibernateJpaAutoConfiguration";
  public static final String HIBERNATE_3 = "org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration";

  /** Spring Boot's reactive Redis health contributor, which it prefers when Reactor is present. */
  public static final String REACTIVE_REDIS_HEALTH_4 =
      "org.springframework.boot.data.redis.autoconfigure.health.DataRedisReactiveHealthContributorAutoConfiguration";
  public static final String REACTIVE_REDIS_HEALTH_3 =
      "org.springframework.boot.actuate.autoconfigure.data.redis.RedisReactiveHealthContributorAutoConfiguration";

  /** For {@code spring.autoconfigure.exclude}: Redis's auto-configuration on either line. */
  public static final String EXCLUDE_REDIS = "spring.autoconfigure.exclude=" + REDIS_4 + "," + REDIS_3;

  private Boot() {}

  /** The Spring Boot version the suite runs on. */
  public static String version() {
    return SpringBootVersion.getVersion();
  }

  public static boolean isBoot4() {
    return version().startsWith("4.");
  }

  public static AutoConfigurations redis() {
    return present(REDIS_4, REDIS_3);
  }

  public static AutoConfigurations jackson() {
    return present("org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
        "org.springframework.boot.autoconfigure.jackson.JacksonAutoConfiguration");
  }

  public static AutoConfigurations jackson2OnBoot4() {
    return present("org.springframework.boot.jackson2.autoconfigure.Jackson2AutoConfiguration");
  }

  public static AutoConfigurations endpoints() {
    return present("org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration");
  }

  public static AutoConfigurations healthContributors() {
    return present("org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration");
  }

  public static AutoConfigurations aop() {
    return present("org.springframework.boot.autoconfigure.aop.AopAutoConfiguration");
  }

  /** Coalesce's auto-configurations, as the starter brings them: the main one and the Boot 3.5 wiring. */
  public static AutoConfigurations coalesce() {
    return present("io.coalesce.autoconfigure.CoalesceAutoConfiguration",
        "io.coalesce.autoconfigure.CoalesceSpringCacheAutoConfiguration",
        "io.coalesce.autoconfigure.boot3.CoalesceBoot3AutoConfiguration");
  }

  /** Coalesce's own Boot 3.5 wiring (health indicator, Lettuce settings): inactive on Boot 4. */
  public static AutoConfigurations boot3Wiring() {
    return present("io.coalesce.autoconfigure.boot3.CoalesceBoot3AutoConfiguration");
  }

  /** resilience4j-spring-boot4's or -spring-boot3's circuit breaker auto-configuration. */
  public static AutoConfigurations resilience4jCircuitBreaker() {
    return present("io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration",
        "io.github.resilience4j.springboot3.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration");
  }

  /** The auto-configurations among {@code classNames} that this line has; at least one must be present. */
  public static AutoConfigurations present(String... classNames) {
    List<Class<?>> classes = new ArrayList<>();
    for (String name : classNames) {
      if (ClassUtils.isPresent(name, Boot.class.getClassLoader())) {
        classes.add(ClassUtils.resolveClassName(name, Boot.class.getClassLoader()));
      }
    }
    if (classes.isEmpty() && !String.join(",", classNames).contains("jackson2")) {
      throw new IllegalStateException("None of " + List.of(classNames) + " is on the class path of Boot " + version());
    }
    return AutoConfigurations.of(classes.toArray(Class<?>[]::new));
  }

  /** The status code a health indicator bean reports ({@code UP}, {@code DEGRADED}), whichever Boot line's it is. */
  public static String healthStatus(Object indicator) {
    try {
      Method health = indicator.getClass().getMethod("health");
      Object result = health.invoke(indicator);
      Object status = result.getClass().getMethod("getStatus").invoke(result);
      return (String) status.getClass().getMethod("getCode").invoke(status);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("Not a health indicator: " + indicator, e);
    }
  }
}
