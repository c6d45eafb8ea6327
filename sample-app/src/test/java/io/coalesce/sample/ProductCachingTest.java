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

  /**
   * {@code findAllByIdIn} of 100 ids, 60 of them cached by {@code findCached}: one SQL statement for
   * the 40 others, then every one of the 100 is a hit for the single-id query.
   */
  @Test
  void aBatchQueriesOnlyTheMissingIdsInOneStatementAndFillsTheSingleIdCache() {
    for (long id = 1_001; id <= 1_060; id++) {
      get(id);
    }
    queries.sinceLast();

    com.fasterxml.jackson.databind.JsonNode found = http.get("/products?ids=" + ids(1_001, 1_100)).json();

    assertThat(found).hasSize(100);
    for (int i = 0; i < 100; i++) {
      assertThat(found.get(i).get("id").asLong()).isEqualTo(1_001 + i); // in the order asked
    }
    assertThat(queries.sinceLast()).as("one statement for the 40 ids not cached").isEqualTo(1);
    for (long id = 1_001; id <= 1_100; id++) {
      assertThat(get(id).getName()).isEqualTo("Product " + id);
    }
    assertThat(queries.sinceLast()).as("findCached of any of the 100 makes no query").isZero();
    assertThat(http.get("/products?ids=" + ids(1_050, 1_150)).json()).hasSize(101);
    assertThat(queries.sinceLast()).as("only 1,101 to 1,150 were missing").isEqualTo(1);
  }

  @Test
  void idsThatDoNotExistAreLeftOutAndCachedAsNotFound() {
    assertThat(http.get("/products?ids=4100000,1200,4100001").json()).hasSize(1);
    assertThat(queries.sinceLast()).isEqualTo(1);
    assertThat(status(4_100_000)).isEqualTo(404);
    assertThat(http.get("/products?ids=4100001,1200").json()).hasSize(1);
    assertThat(queries.sinceLast()).isZero();
  }

  private static String ids(long from, long to) {
    return java.util.stream.LongStream.rangeClosed(from, to).mapToObj(Long::toString)
        .collect(java.util.stream.Collectors.joining(","));
  }

  private Product get(long id) {
    return http.get("/products/" + id).as(Product.class);
  }

  private int status(long id) {
    return http.get("/products/" + id).status();
  }
}
