package io.coalesce.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Coalesce sample: products in H2 behind a Spring Data repository whose finder is
 * {@code @Coalesced}. Runs without Redis (L1 only) and shares its cache through Redis when
 * {@code spring.data.redis.*} points at a reachable server.
 */
@SpringBootApplication
public class SampleApplication {

  public static void main(String[] args) {
    SpringApplication.run(SampleApplication.class, args);
  }
}
