package io.coalesce.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/** The reactive endpoints: {@code Mono} and {@code Flux} methods through the cache, per id for the batch. */
@WithoutRedis
class ReactiveProductsTest {

  @Value("${local.server.port}")
  int port;

  @Autowired
  EntityManagerFactory entityManagerFactory;

  Http http;
  DatabaseQueries queries;

  @BeforeEach
  void connect() {
    http = new Http(port);
    queries = new DatabaseQueries(entityManagerFactory);
  }

  @Test
  void aMonoIsQueriedOnceThenServedFromTheCache() {
    assertThat(http.get("/reactive/products/2001").json().get("name").asText()).isEqualTo("Product 2001");
    assertThat(http.get("/reactive/products/2001").json().get("name").asText()).isEqualTo("Product 2001");
    assertThat(queries.sinceLast()).isEqualTo(1);
  }

  @Test
  void aFluxBatchQueriesOnlyTheUncachedIdsInTheOrderAsked() {
    http.get("/reactive/products/2102");
    queries.sinceLast();

    JsonNode found = http.get("/reactive/products?ids=2103,2102,4300000,2101").json();

    assertThat(found).hasSize(3);
    assertThat(found.get(0).get("id").asLong()).isEqualTo(2103);
    assertThat(found.get(1).get("id").asLong()).isEqualTo(2102);
    assertThat(found.get(2).get("id").asLong()).isEqualTo(2101);
    assertThat(queries.sinceLast()).as("one statement for 2103, 4300000 and 2101").isEqualTo(1);
    assertThat(http.get("/reactive/products/2101").status()).isEqualTo(200);
    assertThat(http.get("/reactive/products/4300000").status()).as("cached as not found").isEqualTo(404);
    assertThat(queries.sinceLast()).isZero();
  }
}
