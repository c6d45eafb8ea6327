package io.coalesce.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.coalesce.annotation.Coalesced;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.it.Boot;
import org.junit.jupiter.api.Test;
import org.springframework.cache.annotation.Cacheable;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A cache configured under {@code coalesce.caches} that nothing uses is most likely a misspelling
 * ({@code prodcts}): its settings silently apply to nothing. Start-up says so in one WARN, with the
 * name it probably meant; a name like none in use is left alone (code may look it up later).
 */
@ExtendWith(OutputCaptureExtension.class)
class UnusedCacheNameTest {

  private static final String PRODCTS_WARNING = "Coalesce: cache 'prodcts' is configured under "
      + "coalesce.caches.prodcts, but no @Coalesced or Spring cache annotation names it and no code has asked for "
      + "it: its settings apply to nothing. Did you mean 'products'? (A cache that code looks up by name only later, with "
      + "CoalescingCacheManager.getCache, is fine.)";

  public static class Products {
    @Coalesced(cache = "products", key = "#id")
    public String find(long id) {
      return "product-" + id;
    }
  }

  /** Asks for its cache by name at start-up, as code that uses the engine directly does. */
  public static class Reports {
    public Reports(CoalescingCacheManager caches) {
      caches.getCache("reports");
    }
  }

  /** Spring's own annotation, for the Spring cache manager bridge. */
  public static class SpringCached {
    @Cacheable(cacheNames = "items", key = "#id")
    public String find(long id) {
      return "item-" + id;
    }
  }

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(Boot.coalesce())
      .withBean(Products.class);

  @Test
  void aMisspelledCacheNameIsAWarningNamingTheLikelyOne() {
    runner.withPropertyValues("coalesce.caches.prodcts.ttl=5m").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(CoalesceStartupReport.class).unusedCaches()).containsExactly(entry("prodcts", "products"));
    });
  }

  @Test
  void aConfiguredCacheThatAnAnnotationOrTheCodeUsesIsNoWarning() {
    runner.withBean(Reports.class).withPropertyValues("coalesce.caches.products.ttl=5m", "coalesce.caches.reports.ttl=1h")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(CoalesceStartupReport.class).unusedCaches()).isEmpty();
        });
  }

  @Test
  void aCacheThatOnlySpringsAnnotationsNameIsUsedWithTheBridge() {
    new ApplicationContextRunner().withConfiguration(Boot.coalesce()).withBean(SpringCached.class)
        .withPropertyValues("coalesce.spring-cache.enabled=true", "coalesce.caches.items.ttl=5m",
            "coalesce.caches.itms.ttl=5m")
        .run(context -> {
          assertThat(context).hasNotFailed();
          assertThat(context.getBean(CoalesceStartupReport.class).unusedCaches()).containsExactly(entry("itms", "items"));
        });
  }

  @Test
  void anUnusedNameLikeNoneUsedHasNoGuessSoNoWarning() {
    // most likely a cache that code looks up by name later: start-up cannot tell, so it logs at DEBUG only
    runner.withPropertyValues("coalesce.caches.sessions.ttl=5m").run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(CoalesceStartupReport.class).unusedCaches()).containsExactly(entry("sessions", null));
    });
  }

  @Test
  void theWarningIsLoggedOnceAtStartUp(CapturedOutput output) {
    try (ConfigurableApplicationContext context = SpringApplication.run(App.class,
        "--spring.main.web-application-type=none", "--coalesce.caches.prodcts.ttl=5m",
        "--spring.autoconfigure.exclude=" + String.join(",", Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3,
            Boot.HIBERNATE_4, Boot.HIBERNATE_3, Boot.REDIS_4, Boot.REDIS_3))) {
      assertThat(output.getAll()).containsOnlyOnce(PRODCTS_WARNING).contains("WARN");
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Products products() {
      return new Products();
    }
  }
}
