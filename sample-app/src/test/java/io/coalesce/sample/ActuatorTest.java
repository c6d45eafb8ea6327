package io.coalesce.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/** What an operator of the sample sees: the coalesce endpoint and health, with Redis unreachable. */
@WithoutRedis
class ActuatorTest {

  @Autowired
  TestRestTemplate http;

  @Autowired
  EntityManagerFactory entityManagerFactory;

  @Test
  void healthSaysDegradedWhileTheApplicationStaysUp() {
    ResponseEntity<JsonNode> health = http.getForEntity("/actuator/health", JsonNode.class);
    assertThat(health.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(health.getBody().path("status").asText()).isEqualTo("UP");
    assertThat(health.getBody().path("components").path("coalesce").path("status").asText()).isEqualTo("DEGRADED");
  }

  @Test
  void theEndpointShowsTheProductsCacheAndEvictsAKey() {
    http.getForObject("/products/600", String.class);
    http.getForObject("/products/600", String.class);

    JsonNode products = http.getForObject("/actuator/coalesce/products", JsonNode.class);
    assertThat(products.path("settings").path("ttl").asText()).isEqualTo("5m");
    assertThat(products.path("statistics").path("gets").path("l1_hit").asLong()).isPositive();

    DatabaseQueries queries = new DatabaseQueries(entityManagerFactory);
    assertThat(http.exchange("/actuator/coalesce/products/600", HttpMethod.DELETE, null, JsonNode.class)
        .getStatusCode()).isEqualTo(HttpStatus.OK);
    http.getForObject("/products/600", String.class);
    assertThat(queries.sinceLast()).isEqualTo(1);
  }

  @Test
  void withRedisUnreachableTheBloomFilterFailsOpenAndARebuildSaysWhy() {
    JsonNode bloom = http.getForObject("/actuator/coalesce/products", JsonNode.class).path("bloom");
    assertThat(bloom.path("mode").asText()).isEqualTo("redis");
    assertThat(bloom.path("ready").asBoolean()).isFalse();
    assertThat(bloom.path("seed").asText()).contains("products");

    ResponseEntity<JsonNode> rebuilt =
        http.postForEntity("/actuator/coalesce/products/bloom", null, JsonNode.class);
    assertThat(rebuilt.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(rebuilt.getBody().path("rebuilt").asBoolean()).isFalse();
    assertThat(rebuilt.getBody().path("reason").asText()).startsWith("the build failed");
  }
}
