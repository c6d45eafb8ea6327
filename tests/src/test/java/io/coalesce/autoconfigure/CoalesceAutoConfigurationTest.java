package io.coalesce.autoconfigure;

import io.coalesce.it.Boot;
import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.spring.CoalesceAdvisor;
import io.coalesce.spring.CountingService;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class CoalesceAutoConfigurationTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(Boot.coalesce());

  @Test
  void providesTheCacheManagerAndTheAdvisorByDefault() {
    runner.run(context -> {
      assertThat(context).hasSingleBean(CoalescingCacheManager.class);
      assertThat(context).hasSingleBean(CoalesceAdvisor.class);
      assertThat(context).hasSingleBean(CoalesceProperties.class);
    });
  }

  @Test
  void doesNotExposeAnExecutorBeanThatWouldDisplaceSpringBootsTaskExecutor() {
    runner.run(context -> assertThat(context).doesNotHaveBean(java.util.concurrent.Executor.class));
  }

  @Test
  void backsOffWhenDisabled() {
    runner.withPropertyValues("coalesce.enabled=false").run(context -> {
      assertThat(context).doesNotHaveBean(CoalescingCacheManager.class);
      assertThat(context).doesNotHaveBean(CoalesceAdvisor.class);
    });
  }

  @Test
  void annotatedMethodsRunUncachedWhenDisabled() {
    runner.withPropertyValues("coalesce.enabled=false")
        .withUserConfiguration(ServiceConfig.class)
        .run(context -> {
          CountingService service = context.getBean(CountingService.class);
          assertThat(AopUtils.isAopProxy(service)).isFalse();
          service.find("a");
          service.find("a");
          assertThat(service.calls()).isEqualTo(2);
        });
  }

  @Test
  void userDefinedCacheManagerWins() {
    runner.withUserConfiguration(UserManagerConfig.class).run(context -> {
      assertThat(context).hasSingleBean(CoalescingCacheManager.class);
      assertThat(context.getBean(CoalescingCacheManager.class)).isSameAs(UserManagerConfig.MANAGER);
    });
  }

  @Test
  void cacheOverridesApplyOverTheDefaults() {
    runner.withPropertyValues(
            "coalesce.defaults.ttl=2m",
            "coalesce.defaults.stale-ttl=10s",
            "coalesce.defaults.local.maximum-size=500",
            "coalesce.caches.products.ttl=5m",
            "coalesce.caches.products.stale-ttl=1h",
            "coalesce.caches.products.local.ttl=30s")
        .run(context -> {
          CoalescingCacheManager manager = context.getBean(CoalescingCacheManager.class);
          CoalescingCache products = manager.getCache("products");
          assertThat(products.settings().ttl()).isEqualTo(Duration.ofMinutes(5));
          assertThat(products.settings().staleTtl()).isEqualTo(Duration.ofHours(1));
          assertThat(products.settings().local().ttl()).isEqualTo(Duration.ofSeconds(30));
          assertThat(products.settings().local().maximumSize()).isEqualTo(500);
          CoalescingCache other = manager.getCache("other");
          assertThat(other.settings().ttl()).isEqualTo(Duration.ofMinutes(2));
          assertThat(other.settings().staleTtl()).isEqualTo(Duration.ofSeconds(10));
        });
  }

  @Test
  void declaredCachesExistFromStartUp() {
    runner.withPropertyValues("coalesce.caches.products.ttl=5m", "coalesce.caches.users.ttl=1m")
        .run(context -> assertThat(context.getBean(CoalescingCacheManager.class).getCacheNames())
            .containsExactlyInAnyOrder("products", "users"));
  }

  @Test
  void defaultsMatchTheDocumentedValues() {
    runner.run(context -> {
      CoalescingCache cache = context.getBean(CoalescingCacheManager.class).getCache("any");
      assertThat(cache.settings().toString()).isEqualTo(io.coalesce.core.CacheSettings.defaults().toString());
      assertThat(cache.settings().ttl()).isEqualTo(Duration.ofMinutes(10));
      assertThat(cache.settings().jitter()).isEqualTo(0.1);
      assertThat(cache.settings().nullTtl()).isEqualTo(Duration.ofMinutes(1));
      assertThat(cache.settings().loadTimeout()).isEqualTo(Duration.ofSeconds(10));
    });
  }

  @Test
  void strictCacheNamesRejectsAnUndeclaredNameInTheProgrammaticApi() {
    runner.withPropertyValues("coalesce.strict-cache-names=true", "coalesce.caches.products.ttl=1m")
        .run(context -> {
          CoalescingCacheManager manager = context.getBean(CoalescingCacheManager.class);
          assertThat(manager.getCache("products")).isNotNull();
          org.assertj.core.api.Assertions.assertThatThrownBy(() -> manager.getCache("prodcts"))
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining("prodcts")
              .hasMessageContaining("coalesce.caches");
        });
  }

  @Test
  void negativeTtlFailsBindingNamingTheProperty() {
    assertStartupFailure(List.of("coalesce.defaults.ttl=-1s"), "coalesce.defaults.ttl", "positive duration");
  }

  @Test
  void jitterOutsideTheUnitIntervalFailsBindingNamingTheProperty() {
    assertStartupFailure(List.of("coalesce.defaults.jitter=1.5"), "coalesce.defaults.jitter", "[0, 1)");
  }

  @Test
  void negativeBetaFailsBindingNamingTheProperty() {
    assertStartupFailure(List.of("coalesce.defaults.early-refresh-beta=-0.5"),
        "coalesce.defaults.early-refresh-beta", ">= 0");
  }

  @Test
  void anInvalidCacheOverrideFailsBindingNamingTheCachesProperty() {
    assertStartupFailure(List.of("coalesce.caches.products.stale-ttl=-5s"),
        "coalesce.caches.products.stale-ttl", "must not be negative");
  }

  @Test
  void aMisspelledCachePropertyFailsStartUpNamingIt() {
    assertStartupFailure(List.of("coalesce.caches.products.stale-tll=1h"), "coalesce.caches.products.stale-tll", "");
  }

  @Test
  void aMisspelledNestedCachePropertyFailsStartUpNamingIt() {
    assertStartupFailure(List.of("coalesce.caches.products.bloom.enabeld=true"),
        "coalesce.caches.products.bloom.enabeld", "");
  }

  @Test
  void aMisspelledDefaultsPropertyFailsStartUpNamingIt() {
    assertStartupFailure(List.of("coalesce.defaults.lock.wiat=2s"), "coalesce.defaults.lock.wiat", "");
  }

  @Test
  void everyCachePropertyCanBeSetPerCacheAndInheritsTheDefaultsOtherwise() {
    runner.withPropertyValues("coalesce.defaults.lock.wait=2s", "coalesce.defaults.bloom.expected-insertions=500",
            "coalesce.caches.products.lock.on-timeout=fail", "coalesce.caches.products.bulkhead.max-concurrent-loads=4")
        .run(context -> {
          var products = context.getBean(CoalescingCacheManager.class).getCache("products").settings();
          assertThat(products.lock().waitTime()).isEqualTo(Duration.ofSeconds(2));
          assertThat(products.lock().onTimeout()).isEqualTo(io.coalesce.core.LockTimeoutAction.FAIL);
          assertThat(products.bloom().expectedInsertions()).isEqualTo(500);
          assertThat(products.bulkhead().maxConcurrentLoads()).isEqualTo(4);
          assertThat(products.lock().lease()).isEqualTo(io.coalesce.core.CacheSettings.defaults().lock().lease());
        });
  }

  @Test
  void anInvalidNestedSettingFailsBindingNamingTheProperty() {
    assertStartupFailure(List.of("coalesce.defaults.local.maximum-size=0"),
        "coalesce.defaults.local.maximum-size", "must be positive");
  }

  private void assertStartupFailure(List<String> properties, String property, String reason) {
    runner.withPropertyValues(properties.toArray(String[]::new)).run(context -> {
      assertThat(context).hasFailed();
      String report = failureReport(context.getStartupFailure());
      assertThat(report).contains(property).contains(reason);
    });
  }

  private static String failureReport(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  @Configuration(proxyBeanMethods = false)
  static class ServiceConfig {
    @Bean
    CountingService countingService() {
      return new CountingService();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class UserManagerConfig {
    static final CoalescingCacheManager MANAGER = new CoalescingCacheManager() {
      @Override
      public CoalescingCache getCache(String name) {
        throw new UnsupportedOperationException();
      }

      @Override
      public java.util.Collection<String> getCacheNames() {
        return List.of();
      }
    };

    @Bean
    CoalescingCacheManager myManager() {
      return MANAGER;
    }
  }
}
