package io.coalesce.sample;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.EntityManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;

/** The REST endpoints through the cache, each test on its own product so that none sees another's entry. */
@WithoutRedis
class ProductCachingTest {

  @Value("${local.server.port}")
  int port;

  Http http;

  @BeforeEach
  void connect() {
    http = new Http(port);
  }

  @Autowired
  EntityManagerFactory entityManagerFactory;

  DatabaseQueries queries;

  @BeforeEach
  void countFromHere() {
    queries = new DatabaseQueries(entityManagerFactory);
  }

  @Test
  void aProductIsQueriedOnceThenServedFromTheCache() {
    assertThat(get(100).getName()).isEqualTo("Product 100");
    assertThat(queries.sinceLast()).isEqualTo(1);

    assertThat(get(100).getName()).isEqualTo("Product 100");
    assertThat(queries.sinceLast()).isZero();
  }

  @Test
  void aPutStoresTheNewValueSoTheNextReadNeedsNoQuery() {
    get(200);
    http.put("/products/200?price=9.99");
    queries.sinceLast();

    assertThat(get(200).getPrice()).isEqualByComparingTo("9.99");
    assertThat(queries.sinceLast()).isZero();
  }

  @Test
  void aDeleteEvictsSoTheNextReadFindsNothingAndCachesThat() {
    get(300);
    http.delete("/products/300");
    queries.sinceLast();

    assertThat(status(300)).isEqualTo(404);
    assertThat(queries.sinceLast()).isEqualTo(1);
    assertThat(status(300)).isEqualTo(404);
    assertThat(queries.sinceLast()).as("not found is cached for null-ttl").isZero();
  }

  @Test
  void anAbsentIdReachesTheDatabaseOnce() {
    assertThat(status(4_000_000)).isEqualTo(404);
    assertThat(status(4_000_000)).isEqualTo(404);
    assertThat(queries.sinceLast()).isEqualTo(1);
  }

  @Test
  void aWriteWhoseCommitFailsLeavesTheCachedValue() {
    String before = get(400).getPrice().toPlainString();

    // DECIMAL(12, 2) cannot hold it: the update fails when the transaction commits, after the method
    // returned, so the put must happen after the commit (Coalesce's advice outside the transaction).
    assertThat(http.put("/products/400?price=1000000000000").status()).isBetween(500, 599);
    queries.sinceLast();

    assertThat(get(400).getPrice().toPlainString()).isEqualTo(before);
    assertThat(queries.sinceLast()).isZero();
  }

  private Product get(long id) {
    return http.get("/products/" + id).as(Product.class);
  }

  private int status(long id) {
    return http.get("/products/" + id).status();
  }
}
