package io.coalesce.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductService;
import io.coalesce.it.Boot;
import io.coalesce.it.Http;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.beans.factory.annotation.Value;

/** The endpoint and health indicator of an application with no Redis: L1 only, keys held as objects. */
@SpringBootTest(classes = ActuatorApp.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
    Boot.EXCLUDE_REDIS,
    "management.endpoints.web.exposure.include=health,coalesce",
    "management.endpoint.health.show-details=always"})
class ActuatorWithoutRedisTest {

  @Value("${local.server.port}")
  int port;
  @Autowired
  ProductService service;
  @Autowired
  ProductDb db;

  @Test
  void healthIsUpAndSaysThereIsNoSharedTier() {
    Http http = new Http(port);
    JsonNode coalesce = http.get("/actuator/health").json().path("components").path("coalesce");
    assertThat(coalesce.path("status").asText()).isEqualTo("UP");
    assertThat(coalesce.path("details").path("redis").asText()).startsWith("not configured");
    assertThat(http.get("/actuator/coalesce").json().path("redis").path("configured").asBoolean())
        .isFalse();
  }

  @Test
  void aKeyNamedAsTextEvictsTheObjectKeyHeldInL1() {
    service.find(1); // held in L1 under the Long 1, not the String "1"
    int queries = db.queries();
    service.find(1);
    assertThat(db.queries()).isEqualTo(queries);

    assertThat(new Http(port).delete("/actuator/coalesce/products/1").status()).isEqualTo(200);

    service.find(1);
    assertThat(db.queries()).isEqualTo(queries + 1);
  }

  /** {@code hot-keys} (default 10): the most read and most loaded keys, in the key's string form. */
  @Test
  void theCachesHotKeysAreShownByReadsAndByLoads() throws InterruptedException {
    service.find(2);
    for (int i = 0; i < 5; i++) {
      Thread.sleep(2); // reads are sampled once a millisecond: these are each sampled
      service.find(2);
    }
    JsonNode hot = new Http(port).get("/actuator/coalesce/products").json().path("hotKeys");
    assertThat(hot.path("reads").get(0).path("key").asText()).isEqualTo("2");
    assertThat(hot.path("reads").get(0).path("atLeast").asLong()).isGreaterThanOrEqualTo(6);
    assertThat(hot.path("loads").findValuesAsText("key")).contains("2");
    assertThat(hot.path("sampledReads").asLong()).isGreaterThanOrEqualTo(6);
  }
}
