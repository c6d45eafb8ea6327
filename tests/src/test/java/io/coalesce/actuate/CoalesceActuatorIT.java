package io.coalesce.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductService;
import io.coalesce.it.Http;
import io.coalesce.test.RedisServer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The {@code coalesce} actuator endpoint and health indicator over HTTP, on a real Redis that the
 * last test kills and restarts.
 */
@SpringBootTest(classes = ActuatorApp.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "management.endpoints.web.exposure.include=health,coalesce",
    "management.endpoint.health.show-details=always",
    "coalesce.key-prefix=actuator",
    "coalesce.defaults.ttl=10m",
    "coalesce.caches.products.stale-ttl=1h",
    "resilience4j.circuitbreaker.instances.coalesce-redis.sliding-window-size=4",
    "resilience4j.circuitbreaker.instances.coalesce-redis.minimum-number-of-calls=2",
    "resilience4j.circuitbreaker.instances.coalesce-redis.wait-duration-in-open-state=500ms"})
@DirtiesContext
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CoalesceActuatorIT {

  static final RedisServer redis = RedisServer.start();

  @DynamicPropertySource
  static void redis(DynamicPropertyRegistry properties) {
    properties.add("spring.data.redis.port", redis::port);
    properties.add("spring.data.redis.timeout", () -> "300ms");
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @Value("${local.server.port}")
  int port;
  @Autowired
  ProductService service;
  @Autowired
  ProductDb db;

  Http http;

  @BeforeEach
  void emptyCaches() {
    http = new Http(port);
    http.delete("/actuator/coalesce/products");
  }

  @Test
  @Order(1)
  void listsEveryCacheWithItsEffectiveSettingsAndTheRedisTier() {
    service.find(1);

    Http.Response response = http.get("/actuator/coalesce");

    assertThat(response.status()).isEqualTo(200);
    JsonNode products = response.json().path("caches").path("products");
    assertThat(products.path("settings").path("ttl").asText()).isEqualTo("10m");
    assertThat(products.path("settings").path("stale-ttl").asText()).isEqualTo("1h");
    assertThat(products.path("settings").path("lock").path("enabled").asBoolean()).isTrue();
    JsonNode redisState = response.json().path("redis");
    assertThat(redisState.path("configured").asBoolean()).isTrue();
    assertThat(redisState.path("keyPrefix").asText()).isEqualTo("actuator");
    assertThat(redisState.path("circuitBreaker").asText()).isEqualTo("CLOSED");
  }

  @Test
  @Order(2)
  void showsOneCacheWithItsStatisticsAnd404ForAnUnknownOne() {
    service.find(2);
    service.find(2);

    JsonNode products = http.get("/actuator/coalesce/products").json();
    JsonNode gets = products.path("statistics").path("gets");
    assertThat(gets.path("miss").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(gets.path("l1_hit").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(products.path("statistics").path("loads").path("success").path("count").asLong()).isPositive();
    assertThat(products.path("localSize").asLong()).isPositive();

    assertThat(http.get("/actuator/coalesce/no-such-cache").status()).isEqualTo(404);
  }

  @Test
  @Order(3)
  void deletingAKeyEvictsItFromBothTiers() {
    service.find(1);
    assertThat(redis.text("EXISTS", "actuator:products:{1}")).isEqualTo("1");
    int queries = db.queries();
    service.find(1);
    assertThat(db.queries()).isEqualTo(queries); // cached

    Http.Response response = http.delete("/actuator/coalesce/products/1");

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.json().path("evicted").asBoolean()).isTrue();
    assertThat(redis.text("EXISTS", "actuator:products:{1}")).isEqualTo("0");
    service.find(1);
    assertThat(db.queries()).isEqualTo(queries + 1); // L1 copy gone too
  }

  @Test
  @Order(4)
  void deletingACacheClearsBothTiers() {
    service.find(1);
    service.find(2);
    assertThat(redis.text("EXISTS", "actuator:products:{1}", "actuator:products:{2}")).isEqualTo("2");
    int queries = db.queries();

    assertThat(http.delete("/actuator/coalesce/products").status()).isEqualTo(200);

    assertThat(redis.text("EXISTS", "actuator:products:{1}", "actuator:products:{2}")).isEqualTo("0");
    service.find(1);
    service.find(2);
    assertThat(db.queries()).isEqualTo(queries + 2);
  }

  @Test
  @Order(5)
  void healthIsUpWithRedisDegradedButServingWithoutAndUpAgainWhenItReturns() throws Exception {
    JsonNode up = health(200);
    assertThat(up.path("status").asText()).isEqualTo("UP");
    assertThat(up.path("components").path("coalesce").path("status").asText()).isEqualTo("UP");
    assertThat(up.path("components").path("coalesce").path("details").path("redis").asText()).isEqualTo("available");

    redis.kill();
    try {
      JsonNode degraded = health(200); // never 503: the application still serves
      JsonNode coalesce = degraded.path("components").path("coalesce");
      assertThat(coalesce.path("status").asText()).isEqualTo("DEGRADED");
      assertThat(coalesce.path("details").path("redis").asText()).isEqualTo("unavailable");
      assertThat(degraded.path("components").path("redis").path("status").asText()).isEqualTo("DEGRADED");
      assertThat(degraded.path("status").asText()).isEqualTo("UP");
      assertThat(service.find(2).name()).isEqualTo("tablet");
      assertThat(service.find(99)).isNull();
    } finally {
      redis.restart();
    }

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String status;
    do {
      Thread.sleep(200);
      status = health(200).path("components").path("coalesce").path("status").asText();
    } while (!status.equals("UP") && System.nanoTime() < deadline);
    assertThat(status).isEqualTo("UP");
  }

  JsonNode health(int expectedStatus) {
    Http.Response response = http.get("/actuator/health");
    assertThat(response.status()).isEqualTo(expectedStatus);
    return response.json();
  }
}
