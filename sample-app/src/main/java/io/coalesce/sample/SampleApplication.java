package io.coalesce.sample;

import java.util.Arrays;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Coalesce sample: products in H2 behind a Spring Data repository whose finder is
 * {@code @Coalesced}. Runs without Redis (L1 only) and shares its cache through Redis when
 * {@code spring.data.redis.*} points at a reachable server.
 */
@SpringBootApplication
public class SampleApplication {

  public static void main(String[] args) {
    SpringApplication app = new SpringApplication(SampleApplication.class);
    if (Arrays.stream(args).anyMatch(a -> a.equals("--demo") || a.startsWith("--demo="))) {
      // The demo calls the service in-process and exits: it needs no port (and must not fail on a busy one).
      app.setWebApplicationType(WebApplicationType.NONE);
    }
    app.run(args);
  }
}
