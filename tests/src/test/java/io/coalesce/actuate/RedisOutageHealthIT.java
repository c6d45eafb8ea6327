package io.coalesce.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.coalesce.cluster.ProductService;
import io.coalesce.it.Boot;
import io.coalesce.it.Http;
import io.coalesce.test.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Spring Boot's own {@code redis} health indicator during a real Redis outage (the server is killed):
 * a Redis that only Coalesce uses must not turn {@code /actuator/health} DOWN, whether Boot checks it
 * reactively (its default with Lettuce) or blockingly; an application that uses Redis itself, or says
 * so, keeps Boot's DOWN and HTTP 503.
 */
class RedisOutageHealthIT {

  static final RedisServer redis = RedisServer.start();
  static final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

  static Http cacheOnly;
  static Http cacheOnlyBlockingIndicator;
  static Http usesRedisItself;
  static Http saysItUsesRedis;

  /** An application bean that keeps sessions in Redis through Boot's StringRedisTemplate. */
  @Configuration(proxyBeanMethods = false)
  static class SessionStoreConfiguration {
    @Bean
    SessionStore sessionStore(StringRedisTemplate redis) {
      return new SessionStore(redis);
    }
  }

  record SessionStore(StringRedisTemplate redis) {}

  @BeforeAll
  static void startApplications() {
    cacheOnly = start(new Class<?>[] {ActuatorApp.class});
    cacheOnlyBlockingIndicator = start(new Class<?>[] {ActuatorApp.class},
        "spring.autoconfigure.exclude=" + Boot.REACTIVE_REDIS_HEALTH_4 + "," + Boot.REACTIVE_REDIS_HEALTH_3);
    usesRedisItself = start(new Class<?>[] {ActuatorApp.class, SessionStoreConfiguration.class});
    saysItUsesRedis = start(new Class<?>[] {ActuatorApp.class}, "coalesce.redis.used-by-application=true");
  }

  @AfterAll
  static void stop() {
    contexts.forEach(ConfigurableApplicationContext::close);
    redis.close();
  }

  static Http start(Class<?>[] sources, String... properties) {
    List<String> all = new ArrayList<>(List.of(
        "server.port=0",
        "management.endpoints.web.exposure.include=health",
        "management.endpoint.health.show-details=always",
        "spring.data.redis.port=" + redis.port(),
        "spring.data.redis.timeout=300ms",
        "coalesce.key-prefix=health"));
    all.addAll(List.of(properties));
    ConfigurableApplicationContext context = new SpringApplicationBuilder(sources)
        .properties(all.toArray(String[]::new))
        .run();
    contexts.add(context);
    return new Http(Integer.parseInt(context.getEnvironment().getProperty("local.server.port")));
  }

  @Test
  void aRedisOnlyCoalesceUsesDegradesTheRedisComponentButKeepsTheApplicationUp() throws Exception {
    for (Http app : List.of(cacheOnly, cacheOnlyBlockingIndicator, usesRedisItself, saysItUsesRedis)) {
      assertThat(app.get("/actuator/health").status()).isEqualTo(200);
    }

    redis.kill();
    try {
      for (Http app : List.of(cacheOnly, cacheOnlyBlockingIndicator)) {
        Http.Response response = app.get("/actuator/health");
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode health = response.json();
        assertThat(health.path("status").asText()).isEqualTo("UP");
        JsonNode redisComponent = health.path("components").path("redis");
        assertThat(redisComponent.path("status").asText()).isEqualTo("DEGRADED");
        assertThat(redisComponent.path("details").path("error").asText()).isNotEmpty(); // Boot's own detail kept
        assertThat(redisComponent.path("details").path("coalesce").asText())
            .contains("only Coalesce uses this Redis").contains("coalesce.redis.used-by-application");
        assertThat(health.path("components").path("coalesce").path("status").asText()).isEqualTo("DEGRADED");
      }
      for (Http app : List.of(usesRedisItself, saysItUsesRedis)) {
        Http.Response response = app.get("/actuator/health");
        assertThat(response.status()).as(response.body()).isEqualTo(503);
        assertThat(response.json().path("components").path("redis").path("status").asText()).isEqualTo("DOWN");
      }
      assertThat(contexts.get(0).getBean(ProductService.class).find(1).name()).isEqualTo("phone"); // still serving
    } finally {
      redis.restart();
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String status;
    do {
      Thread.sleep(200);
      status = cacheOnly.get("/actuator/health").json().path("components").path("redis").path("status").asText();
    } while (!status.equals("UP") && System.nanoTime() < deadline);
    assertThat(status).isEqualTo("UP");
  }
}
