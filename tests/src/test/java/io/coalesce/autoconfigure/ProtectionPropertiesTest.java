package io.coalesce.autoconfigure;

import io.coalesce.it.Boot;
import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.core.CacheSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Binding of the database-protection settings: bulkhead and the stale-if-error bound. */
class ProtectionPropertiesTest {

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(Boot.coalesce());

  @Test
  void perCacheBulkheadAndStaleBoundOverrideTheDefaults() {
    runner.withPropertyValues(
            "coalesce.defaults.stale-if-error-max-age=30m",
            "coalesce.defaults.bulkhead.max-wait=200ms",
            "coalesce.caches.products.bulkhead.max-concurrent-loads=4",
            "coalesce.caches.products.stale-if-error-max-age=2h")
        .run(context -> {
          CoalesceProperties properties = context.getBean(CoalesceProperties.class);
          CacheSettings products = properties.settingsFor("products");
          assertThat(products.bulkhead().maxConcurrentLoads()).isEqualTo(4);
          assertThat(products.bulkhead().maxWait()).isEqualTo(Duration.ofMillis(200));
          assertThat(products.staleIfErrorMaxAge()).isEqualTo(Duration.ofHours(2));
          CacheSettings other = properties.settingsFor("users");
          assertThat(other.bulkhead().maxConcurrentLoads()).isZero();
          assertThat(other.staleIfErrorMaxAge()).isEqualTo(Duration.ofMinutes(30));
        });
  }

  @Test
  void aNegativeBulkheadFailsStartUpNamingTheProperty() {
    runner.withPropertyValues("coalesce.caches.products.bulkhead.max-concurrent-loads=-1").run(context ->
        assertThat(context).getFailure().rootCause().hasMessageContaining(
            "coalesce.caches.products.bulkhead.max-concurrent-loads must be 0 (no bound) or positive, but was -1"));
  }

  @Test
  void theRefreshPoolTakesItsSizeFromTheProperties() {
    runner.withPropertyValues("coalesce.refresh.threads=3", "coalesce.refresh.queue-capacity=10").run(context -> {
      CoalesceProperties.Refresh refresh = context.getBean(CoalesceProperties.class).getRefresh();
      assertThat(refresh.effectiveThreads()).isEqualTo(3);
      assertThat(refresh.getQueueCapacity()).isEqualTo(10);
    });
    runner.run(context -> assertThat(context.getBean(CoalesceProperties.class).getRefresh().effectiveThreads())
        .isEqualTo(Math.max(4, 2 * Runtime.getRuntime().availableProcessors())));
  }

  @Test
  void aRefreshQueueOfZeroFailsStartUpNamingTheProperty() {
    runner.withPropertyValues("coalesce.refresh.queue-capacity=0").run(context ->
        assertThat(context).getFailure().rootCause().hasMessageContaining(
            "coalesce.refresh.queue-capacity must be at least 1, but was 0"));
  }
}
