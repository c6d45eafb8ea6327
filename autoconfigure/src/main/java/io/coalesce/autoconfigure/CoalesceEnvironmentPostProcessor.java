package io.coalesce.autoconfigure;

import io.coalesce.autoconfigure.internal.SpringDataRedisDefaults;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Spring Boot 4: keeps the starter's Spring Data Redis out of the application's repository set-up
 * (see {@link SpringDataRedisDefaults}). Boot 3.5 runs {@code CoalesceBoot3EnvironmentPostProcessor}.
 */
class CoalesceEnvironmentPostProcessor implements EnvironmentPostProcessor {

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    SpringDataRedisDefaults.apply(environment, application.getAllSources(), application.getClassLoader());
  }
}
