package io.coalesce.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.it.Boot;
import io.coalesce.metrics.CacheInstrumentation;
import io.coalesce.metrics.CacheStatistics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** When metrics, the endpoint and the health indicator are created, and when they back off. */
class ObservabilityAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withPropertyValues("coalesce.caches.products.ttl=1m", "management.endpoints.web.exposure.include=coalesce")
      .withConfiguration(Boot.coalesce())
      .withConfiguration(Boot.endpoints())
      .withConfiguration(Boot.healthContributors())
      .withConfiguration(Boot.boot3Wiring());

  @Configuration(proxyBeanMethods = false)
  static class Registry {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Test
  void withARegistryEveryDeclaredCacheHasItsMetersFromStartUp() {
    runner.withUserConfiguration(Registry.class).run(context -> {
      assertThat(context).hasSingleBean(CacheInstrumentation.class);
      assertThat(context).hasSingleBean(CacheStatistics.class);
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertThat(registry.find("coalesce.gets").tag("cache", "products").counters()).hasSize(5);
      assertThat(registry.find("coalesce.inflight").tag("cache", "products").gauge()).isNotNull();
      assertThat(registry.find("cache.gets").tag("cache", "products").tag("cache.manager", "coalesce").meters())
          .isNotEmpty();
    });
  }

  @Test
  void withoutARegistryNothingIsRecorded() {
    runner.run(context -> {
      assertThat(context).doesNotHaveBean(CacheInstrumentation.class);
      assertThat(context).hasSingleBean(CoalescingCacheManager.class);
    });
  }

  @Test
  void withoutMicrometerOnTheClasspathTheCachesStillWork() {
    runner.withClassLoader(new FilteredClassLoader(MeterRegistry.class)).run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(CoalescingCacheManager.class).getCache("products")
          .get("k", String.class, () -> "v")).isEqualTo("v");
    });
  }

  @Test
  void theEndpointAndHealthIndicatorArePresentByDefault() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(CoalesceEndpoint.class);
      assertThat(context).hasBean("coalesceHealthIndicator");
      assertThat(Boot.healthStatus(context.getBean("coalesceHealthIndicator"))).isEqualTo("UP");
    });
  }

  @Test
  void theHealthIndicatorCanBeTurnedOff() {
    runner.withPropertyValues("management.health.coalesce.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("coalesceHealthIndicator"));
  }

  @Test
  void theEndpointIsNotCreatedWhenNotExposed() {
    runner.withPropertyValues("management.endpoints.web.exposure.include=health")
        .run(context -> assertThat(context).doesNotHaveBean(CoalesceEndpoint.class));
  }

  @Test
  void withoutActuatorThereIsNoEndpointAndNoHealthIndicator() {
    new ApplicationContextRunner()
        .withConfiguration(Boot.coalesce())
        .withConfiguration(Boot.boot3Wiring())
        .withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate", "org.springframework.boot.health"))
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(CoalesceEndpoint.class);
          assertThat(context).doesNotHaveBean("coalesceHealthIndicator");
        });
  }
}
