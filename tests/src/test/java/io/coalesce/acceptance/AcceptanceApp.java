package io.coalesce.acceptance;

import io.coalesce.bloom.BloomSeed;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The application a newcomer writes: Spring Data JPA, Actuator, web, and coalesce-spring-boot-starter
 * (the one dependency the README names); a repository method with {@code @Coalesced}, writes in a
 * service, a {@code BloomSeed}.
 */
@SpringBootApplication
public class AcceptanceApp {

  @Bean
  BloomSeed bookIds(BookRepository books, TransactionTemplate transactions) {
    return BloomSeed.of("books", () -> transactions.execute(status -> books.streamAllIds().toList()).stream());
  }
}
