package io.coalesce.autoconfigure.boot3;

import io.coalesce.autoconfigure.internal.SpringDataRedisDefaults;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

/**
 * Spring Boot 3.5: keeps the starter's Spring Data Redis out of the application's repository set-up
 * (see {@link SpringDataRedisDefaults}). Spring Boot 4 still reads this (deprecated) registration,
 * but runs {@code CoalesceEnvironmentPostProcessor} under its own, so this one steps aside there.
 */
class CoalesceBoot3EnvironmentPostProcessor implements EnvironmentPostProcessor {

  private static final String BOOT_4_POST_PROCESSOR = "org.springframework.boot.EnvironmentPostProcessor";

  @Override
  public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
    if (!ClassUtils.isPresent(BOOT_4_POST_PROCESSOR, application.getClassLoader())) {
      SpringDataRedisDefaults.apply(environment, application.getAllSources(), application.getClassLoader());
    }
  }
}
