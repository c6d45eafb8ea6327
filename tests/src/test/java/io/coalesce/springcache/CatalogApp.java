package io.coalesce.springcache;

import io.coalesce.it.Boot;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;

/**
 * The application: Spring's {@code @EnableCaching} and cache annotations, and Coalesce's starter on
 * the classpath; {@code coalesce.spring-cache.enabled=true} makes its cache manager Coalesce's.
 */
@SpringBootConfiguration
@EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3})
@EnableCaching
public class CatalogApp {

  @Bean
  Catalog catalog(Catalog.Rows rows) {
    return new Catalog(rows);
  }

  @Bean
  ConfiguredCatalog configuredCatalog(Catalog.Rows rows) {
    return new ConfiguredCatalog(rows);
  }
}
