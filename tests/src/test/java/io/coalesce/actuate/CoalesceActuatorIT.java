package io.coalesce.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductService;
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
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
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
    // Spring Boot's own Redis health indicator would report the application DOWN with Redis, which
    // for a cache-only Redis is what Coalesce's DEGRADED replaces.
    "management.health.redis.enabled=false",
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

  @Autowired
  TestRestTemplate http;
  @Autowired
  ProductService service;
  @Autowired
  ProductDb db;

  @BeforeEach
  void emptyCaches() {
    http.exchange("/actuator/coalesce/products", HttpMethod.DELETE, null, JsonNode.class);
  }

  @Test
  @Order(1)
  void listsEveryCacheWithItsEffectiveSettingsAndTheRedisTier() {
    service.find(1);

    ResponseEntity<JsonNode> response = http.getForEntity("/actuator/coalesce", JsonNode.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    JsonNode products = response.getBody().path("caches").path("products");
    assertThat(products.path("settings").path("ttl").asText()).isEqualTo("10m");
    assertThat(products.path("settings").path("stale-ttl").asText()).isEqualTo("1h");
    assertThat(products.path("settings").path("lock").path("enabled").asBoolean()).isTrue();
    JsonNode redisState = response.getBody().path("redis");
    assertThat(redisState.path("configured").asBoolean()).isTrue();
    assertThat(redisState.path("keyPrefix").asText()).isEqualTo("actuator");
    assertThat(redisState.path("circuitBreaker").asText()).isEqualTo("CLOSED");
  }

  @Test
  @Order(2)
  void showsOneCacheWithItsStatisticsAnd404ForAnUnknownOne() {
    service.find(2);
    service.find(2);

    JsonNode products = http.getForObject("/actuator/coalesce/products", JsonNode.class);
    JsonNode gets = products.path("statistics").path("gets");
    assertThat(gets.path("miss").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(gets.path("l1_hit").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(products.path("statistics").path("loads").path("success").path("count").asLong()).isPositive();
    assertThat(products.path("localSize").asLong()).isPositive();

    assertThat(http.getForEntity("/actuator/coalesce/no-such-cache", String.class).getStatusCode())
        .isEqualTo(HttpStatus.NOT_FOUND);
  }

  @Test
  @Order(3)
  void deletingAKeyEvictsItFromBothTiers() {
    service.find(1);
    assertThat(redis.cli("EXISTS", "actuator:products:{1}")).isEqualTo("1");
    int queries = db.queries();
    service.find(1);
    assertThat(db.queries()).isEqualTo(queries); // cached

    ResponseEntity<JsonNode> response =
        http.exchange("/actuator/coalesce/products/1", HttpMethod.DELETE, null, JsonNode.class);

    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getBody().path("evicted").asBoolean()).isTrue();
    assertThat(redis.cli("EXISTS", "actuator:products:{1}")).isEqualTo("0");
    service.find(1);
    assertThat(db.queries()).isEqualTo(queries + 1); // L1 copy gone too
  }

  @Test
  @Order(4)
  void deletingACacheClearsBothTiers() {
    service.find(1);
    service.find(2);
    assertThat(redis.cli("EXISTS", "actuator:products:{1}", "actuator:products:{2}")).isEqualTo("2");
    int queries = db.queries();

    assertThat(http.exchange("/actuator/coalesce/products", HttpMethod.DELETE, null, JsonNode.class)
        .getStatusCode()).isEqualTo(HttpStatus.OK);

    assertThat(redis.cli("EXISTS", "actuator:products:{1}", "actuator:products:{2}")).isEqualTo("0");
    service.find(1);
    service.find(2);
    assertThat(db.queries()).isEqualTo(queries + 2);
  }

  @Test
  @Order(5)
  void healthIsUpWithRedisDegradedButServingWithoutAndUpAgainWhenItReturns() throws Exception {
    JsonNode up = health(HttpStatus.OK);
    assertThat(up.path("status").asText()).isEqualTo("UP");
    assertThat(up.path("components").path("coalesce").path("status").asText()).isEqualTo("UP");
    assertThat(up.path("components").path("coalesce").path("details").path("redis").asText()).isEqualTo("available");

    redis.kill();
    try {
      JsonNode degraded = health(HttpStatus.OK); // never 503: the application still serves
      JsonNode coalesce = degraded.path("components").path("coalesce");
      assertThat(coalesce.path("status").asText()).isEqualTo("DEGRADED");
      assertThat(coalesce.path("details").path("redis").asText()).isEqualTo("unavailable");
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
      status = health(HttpStatus.OK).path("components").path("coalesce").path("status").asText();
    } while (!status.equals("UP") && System.nanoTime() < deadline);
    assertThat(status).isEqualTo("UP");
  }

  JsonNode health(HttpStatus expected) {
    ResponseEntity<JsonNode> response = http.getForEntity("/actuator/health", JsonNode.class);
    assertThat(response.getStatusCode()).isEqualTo(expected);
    return response.getBody();
  }
}
