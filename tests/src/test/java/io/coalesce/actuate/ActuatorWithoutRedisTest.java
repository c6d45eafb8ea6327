package io.coalesce.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;

/** The endpoint and health indicator of an application with no Redis: L1 only, keys held as objects. */
@SpringBootTest(classes = ActuatorApp.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    "spring.autoconfigure.exclude=org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration",
    "management.endpoints.web.exposure.include=health,coalesce",
    "management.endpoint.health.show-details=always"})
class ActuatorWithoutRedisTest {

  @Autowired
  TestRestTemplate http;
  @Autowired
  ProductService service;
  @Autowired
  ProductDb db;

  @Test
  void healthIsUpAndSaysThereIsNoSharedTier() {
    JsonNode coalesce = http.getForObject("/actuator/health", JsonNode.class).path("components").path("coalesce");
    assertThat(coalesce.path("status").asText()).isEqualTo("UP");
    assertThat(coalesce.path("details").path("redis").asText()).startsWith("not configured");
    assertThat(http.getForObject("/actuator/coalesce", JsonNode.class).path("redis").path("configured").asBoolean())
        .isFalse();
  }

  @Test
  void aKeyNamedAsTextEvictsTheObjectKeyHeldInL1() {
    service.find(1); // held in L1 under the Long 1, not the String "1"
    int queries = db.queries();
    service.find(1);
    assertThat(db.queries()).isEqualTo(queries);

    assertThat(http.exchange("/actuator/coalesce/products/1", HttpMethod.DELETE, null, JsonNode.class)
        .getStatusCode()).isEqualTo(HttpStatus.OK);

    service.find(1);
    assertThat(db.queries()).isEqualTo(queries + 1);
  }
}
