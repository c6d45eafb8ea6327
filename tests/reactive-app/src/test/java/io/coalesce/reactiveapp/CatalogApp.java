package io.coalesce.reactiveapp;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/** The application: WebFlux on Netty, Spring Data R2DBC, Coalesce, all auto-configured. */
@SpringBootApplication
public class CatalogApp {

  @Bean
  static QueryLog queryLog() {
    return new QueryLog();
  }
}
