package io.coalesce.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.junit.jupiter.api.BeforeEach;

/** What an operator of the sample sees: the coalesce endpoint and health, with Redis unreachable. */
@WithoutRedis
class ActuatorTest {

  @Value("${local.server.port}")
  int port;

  Http http;

  @BeforeEach
  void connect() {
    http = new Http(port);
  }

  @Autowired
  EntityManagerFactory entityManagerFactory;

  @Test
  void healthSaysDegradedWhileTheApplicationStaysUp() {
    Http.Response health = http.get("/actuator/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().path("status").asText()).isEqualTo("UP");
    assertThat(health.json().path("components").path("coalesce").path("status").asText()).isEqualTo("DEGRADED");
  }

  @Test
  void theEndpointShowsTheProductsCacheAndEvictsAKey() {
    http.get("/products/600");
    http.get("/products/600");

    JsonNode products = http.get("/actuator/coalesce/products").json();
    assertThat(products.path("settings").path("ttl").asText()).isEqualTo("5m");
    assertThat(products.path("statistics").path("gets").path("l1_hit").asLong()).isPositive();

    DatabaseQueries queries = new DatabaseQueries(entityManagerFactory);
    assertThat(http.delete("/actuator/coalesce/products/600").status()).isEqualTo(200);
    http.get("/products/600");
    assertThat(queries.sinceLast()).isEqualTo(1);
  }

  @Test
  void withRedisUnreachableTheBloomFilterFailsOpenAndARebuildSaysWhy() {
    JsonNode bloom = http.get("/actuator/coalesce/products").json().path("bloom");
    assertThat(bloom.path("mode").asText()).isEqualTo("redis");
    assertThat(bloom.path("ready").asBoolean()).isFalse();
    assertThat(bloom.path("seed").asText()).contains("products");

    Http.Response rebuilt = http.post("/actuator/coalesce/products/bloom");
    assertThat(rebuilt.status()).isEqualTo(200);
    assertThat(rebuilt.json().path("rebuilt").asBoolean()).isFalse();
    assertThat(rebuilt.json().path("reason").asText()).startsWith("the build failed");
  }
}
