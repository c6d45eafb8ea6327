package io.coalesce.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.annotation.Coalesced;
import io.coalesce.it.Boot;
import io.coalesce.it.Http;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A web request whose cached read times out (a slow database) is answered 503 with Retry-After and a
 * problem detail, not a bare 500 (issue 27, item 5): a real Spring MVC server, a
 * {@code CompletableFuture} method whose load never completes, {@code load-timeout} 300 ms.
 */
class ProblemDetailsTest {

  /** A repository whose query never answers. */
  public static class SlowRepository {
    @Coalesced(cache = "slow", key = "#id")
    public CompletableFuture<String> find(long id) {
      return new CompletableFuture<>();
    }
  }

  @RestController
  public static class Controller {
    private final SlowRepository repository;

    public Controller(SlowRepository repository) {
      this.repository = repository;
    }

    @GetMapping("/slow/{id}")
    CompletableFuture<String> find(@PathVariable long id) {
      return repository.find(id);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3})
  static class App {
    @Bean
    SlowRepository slowRepository() {
      return new SlowRepository();
    }

    @Bean
    Controller controller(SlowRepository repository) {
      return new Controller(repository);
    }
  }

  ConfigurableApplicationContext context;

  @AfterEach
  void stop() {
    if (context != null) {
      context.close();
    }
  }

  private Http start(String... properties) {
    String[] all = new String[properties.length + 3];
    all[0] = "server.port=0";
    all[1] = Boot.EXCLUDE_REDIS;
    all[2] = "coalesce.caches.slow.load-timeout=300ms";
    System.arraycopy(properties, 0, all, 3, properties.length);
    context = new SpringApplicationBuilder(App.class).web(WebApplicationType.SERVLET).properties(all).run();
    return new Http(Integer.parseInt(context.getEnvironment().getProperty("local.server.port")));
  }

  @Test
  void aLoadThatTimesOutIsAnswered503WithRetryAfterAndAProblemDetail() {
    Http.Response response = start().get("/slow/1");

    assertThat(response.status()).isEqualTo(503);
    assertThat(response.header("Retry-After")).isEqualTo("1");
    assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    assertThat(response.json().path("status").asInt()).isEqualTo(503);
    assertThat(response.json().path("detail").asText()).contains("retry shortly").doesNotContain("slow");
  }

  @Test
  void withProblemDetailsOffItIsTheApplicationsUsualServerError() {
    Http.Response response = start("coalesce.web.problem-details=false").get("/slow/1");

    assertThat(response.status()).isEqualTo(500);
    assertThat(response.header("Retry-After")).isNull();
  }
}
