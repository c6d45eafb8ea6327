package io.coalesce.sample;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;

/** The sample as a newcomer runs it: no Redis reachable (port 1), L1 only. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"spring.data.redis.port=1", "REDIS_PORT=1"})
class SampleApplicationTest {

  @Autowired
  TestRestTemplate http;

  @Autowired
  StampedeDemo demo;

  @Autowired
  EntityManagerFactory entityManagerFactory;

  @Test
  void theDemoShowsOneDatabaseQueryThroughCoalesceAndOnePerRequestWithout() {
    List<StampedeDemo.Row> rows = demo.run(50, 7);

    assertThat(rows).extracting(StampedeDemo.Row::scenario).containsExactly(
        "cold key, unprotected", "cold key, @Coalesced", "absent ids, unprotected", "absent ids, @Coalesced");
    assertThat(rows.get(0).databaseQueries()).isEqualTo(50);
    assertThat(rows.get(1).databaseQueries()).isEqualTo(1);
    assertThat(rows.get(2).databaseQueries()).isEqualTo(50);
    assertThat(rows.get(3).databaseQueries()).isEqualTo(10); // ten distinct absent ids, once each
  }

  @Test
  void theDemoEndpointReturnsTheTable() {
    String table = http.getForObject("/demo/stampede?requests=20&id=8", String.class);
    assertThat(table).contains("database queries").contains("cold key, @Coalesced");
    assertThat(table.lines().filter(l -> l.startsWith("cold key, @Coalesced")).findFirst().orElseThrow())
        .matches("cold key, @Coalesced\\s+20\\s+1\\s+.*");
  }

  @Test
  void readsAreCachedAndWritesKeepTheCacheInStep() {
    Statistics statistics = entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
    long before = statistics.getPrepareStatementCount();
    assertThat(http.getForObject("/products/100", Product.class).getName()).isEqualTo("Product 100");
    assertThat(http.getForObject("/products/100", Product.class).getName()).isEqualTo("Product 100");
    assertThat(statistics.getPrepareStatementCount() - before).isEqualTo(1);

    http.put("/products/100?price=9.99", null);
    long afterPut = statistics.getPrepareStatementCount();
    assertThat(http.getForObject("/products/100", Product.class).getPrice()).isEqualByComparingTo("9.99");
    assertThat(statistics.getPrepareStatementCount()).isEqualTo(afterPut); // served the put value

    http.delete("/products/100");
    assertThat(http.getForEntity("/products/100", String.class).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
  }
}
