package io.coalesce.acceptance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.coalesce.it.Boot;
import io.coalesce.it.Http;
import io.coalesce.test.Await;
import io.coalesce.test.RedisExtension;
import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hibernate.SessionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The same application on every Boot line the suite runs on (Boot 4.1, 4.0 and 3.5 alike): two
 * instances of {@link AcceptanceApp}, each a web application with its own L1, sharing one database
 * and one real Redis, started from nothing but the starter. Queries are counted at the database
 * (Hibernate's statistics, both instances summed).
 */
class StarterAcceptanceIT {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  static final List<ConfigurableApplicationContext> instances = new ArrayList<>();
  static final ExecutorService callers = Executors.newCachedThreadPool();

  @BeforeAll
  static void startTwoInstances() {
    for (int i = 0; i < 2; i++) {
      instances.add(SpringApplication.run(AcceptanceApp.class,
          "--server.port=0",
          "--spring.application.name=acceptance",
          "--spring.datasource.url=jdbc:h2:mem:acceptance;DB_CLOSE_DELAY=-1",
          "--spring.jpa.hibernate.ddl-auto=none",
          // the first instance creates and fills the database before anything (the Bloom seed) reads it
          "--spring.sql.init.mode=" + (i == 0 ? "always" : "never"),
          "--spring.sql.init.schema-locations=classpath:acceptance/schema.sql",
          "--spring.sql.init.data-locations=classpath:acceptance/data.sql",
          "--spring.jpa.open-in-view=false",
          "--spring.jpa.properties.hibernate.generate_statistics=true",
          "--logging.level.org.hibernate.engine.internal.StatisticalLoggingSessionEventListener=warn",
          "--spring.data.redis.port=" + redis.server().port(),
          "--management.endpoints.web.exposure.include=health,coalesce,metrics",
          "--management.endpoint.health.show-details=always",
          "--coalesce.caches.books.bloom.enabled=true",
          "--coalesce.caches.books.bloom.expected-insertions=10000"));
    }
  }

  @AfterAll
  static void stop() {
    callers.shutdownNow();
    instances.forEach(ConfigurableApplicationContext::close);
  }

  @Test
  void twoHundredConcurrentCallersOfAColdIdCauseOneQueryForTheCluster() throws Exception {
    long before = queries();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Optional<Book>>> results = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      BookRepository books = instances.get(i % 2).getBean(BookRepository.class);
      Callable<Optional<Book>> call = () -> {
        start.await();
        return books.findBookById(42);
      };
      results.add(callers.submit(call));
    }
    start.countDown();
    for (Future<Optional<Book>> result : results) {
      assertThat(result.get(30, TimeUnit.SECONDS)).map(Book::getTitle).contains("Book 42");
    }
    assertThat(queries() - before).isEqualTo(1);
  }

  @Test
  void anUpdateOnOneInstanceIsSeenOnTheOther() {
    BookRepository onB = instances.get(1).getBean(BookRepository.class);
    assertThat(onB.findBookById(7)).map(Book::getTitle).contains("Book 7"); // cached on B

    instances.get(0).getBean(BookService.class).rename(7, "Second edition");

    Await.until(() -> onB.findBookById(7).map(Book::getTitle).orElse("").equals("Second edition"));
  }

  @Test
  void anAbsentIdNeverReachesTheDatabaseOnceTheBloomFilterIsSeeded() {
    Await.until(() -> new Http(port(0)).get("/actuator/coalesce/books").json().path("bloom").path("ready").asBoolean());
    long before = queries();
    for (int i = 0; i < 20; i++) {
      assertThat(instances.get(i % 2).getBean(BookRepository.class).findBookById(5_000_000 + i % 3)).isEmpty();
    }
    assertThat(queries() - before).isZero();
  }

  @Test
  void theEndpointHealthAndMetersAreThere() {
    instances.get(0).getBean(BookRepository.class).findBookById(1);
    Http http = new Http(port(0));

    JsonNode books = http.get("/actuator/coalesce").json().path("caches").path("books");
    assertThat(books.path("settings").path("bloom").path("enabled").asBoolean()).isTrue();
    assertThat(books.path("statistics").path("gets").path("miss").asLong()).isPositive();

    Http.Response health = http.get("/actuator/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().path("components").path("coalesce").path("status").asText()).isEqualTo("UP");
    assertThat(health.json().path("components").path("coalesce").path("details").path("redis").asText())
        .isEqualTo("available");

    for (String meter : List.of("coalesce.gets", "coalesce.loads", "coalesce.coalesced", "coalesce.lock",
        "coalesce.refreshes", "coalesce.inflight")) {
      assertThat(http.get("/actuator/metrics/" + meter).status()).as(meter + " on Boot " + Boot.version())
          .isEqualTo(200);
    }
  }

  private static int port(int instance) {
    return Integer.parseInt(instances.get(instance).getEnvironment().getProperty("local.server.port"));
  }

  private static long queries() {
    long total = 0;
    for (ConfigurableApplicationContext instance : instances) {
      total += instance.getBean(EntityManagerFactory.class).unwrap(SessionFactory.class).getStatistics()
          .getPrepareStatementCount();
    }
    return total;
  }
}
