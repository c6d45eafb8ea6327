package io.coalesce.autoconfigure;

import io.coalesce.it.Boot;
import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.annotation.Coalesced;
import io.coalesce.bloom.BloomFilters;
import io.coalesce.bloom.BloomSeed;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The Bloom guard wired by the auto-configuration, without Redis (each instance its own filter). */
class BloomAutoConfigurationTest {

  public static class Products {
    final AtomicInteger loads = new AtomicInteger();

    @Coalesced(cache = "products", key = "#id")
    public Optional<String> find(long id) {
      loads.incrementAndGet();
      return id < 10_000 ? Optional.of("product-" + id) : Optional.empty();
    }

    public int loads() {
      return loads.get(); // through the proxy: its own fields are not the target's
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class App {
    @Bean
    Products products() {
      return new Products();
    }

    @Bean
    BloomSeed productIds() {
      return BloomSeed.of("products", () -> LongStream.range(0, 10_000).boxed());
    }

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class SecondSeed {
    @Bean
    BloomSeed moreProductIds() {
      return BloomSeed.of("products", () -> LongStream.range(10_000, 20_000).boxed());
    }
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(Boot.coalesce())
      .withUserConfiguration(App.class)
      .withPropertyValues("coalesce.caches.products.bloom.enabled=true",
          "coalesce.caches.products.bloom.expected-insertions=10000");

  @Test
  void absentIdsAreRejectedOnceTheSeedIsInAndCountedAsBloomRejected() {
    runner.run(context -> {
      BloomFilters filters = context.getBean(BloomFilters.class);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!filters.status("products").ready() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(filters.status("products").mode()).isEqualTo("in-process");
      Products products = context.getBean(Products.class);

      for (long id = 10_000; id < 20_000; id++) {
        assertThat(products.find(id)).isEmpty();
      }
      int loads = products.loads();
      assertThat(loads).isLessThanOrEqualTo(150); // 1.5 x 1% of 10,000
      double rejected = context.getBean(MeterRegistry.class).get("coalesce.gets").tag("cache", "products")
          .tag("result", "bloom_rejected").counter().count();
      assertThat(rejected).isEqualTo(10_000 - loads);
      assertThat(products.find(7)).contains("product-7");
    });
  }

  @Test
  void twoSeedsForOneCacheFailStartUpNamingTheCache() {
    runner.withUserConfiguration(SecondSeed.class).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("Two BloomSeed beans name cache 'products'");
    });
  }

  @Test
  void withoutGuavaABloomCacheFailsStartUpSayingWhatToAdd() {
    runner.withClassLoader(new FilteredClassLoader("com.google.common")).run(context -> {
      assertThat(context).hasFailed();
      assertThat(context.getStartupFailure()).rootCause()
          .hasMessageContaining("Cache 'products' has bloom.enabled, which needs Guava");
    });
  }

  @Test
  void cachesWithoutBloomHaveNoGuard() {
    new ApplicationContextRunner()
        .withConfiguration(Boot.coalesce())
        .withUserConfiguration(App.class)
        .run(context -> {
          Products products = context.getBean(Products.class);
          products.find(5_000);
          products.find(5_001);
          assertThat(products.loads()).isEqualTo(2);
          assertThat(context.getBean(BloomFilters.class).caches()).isEmpty();
        });
  }
}
