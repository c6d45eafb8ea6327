package io.coalesce.spring.jpa;

import io.coalesce.it.Boot;
import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.EntityManagerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** Queries are counted by Hibernate at the database boundary (prepared statements). */
@SpringBootTest(classes = JpaTestApplication.class, properties = {
    "spring.datasource.url=jdbc:h2:mem:coalesce-jpa;DB_CLOSE_DELAY=-1",
    "spring.jpa.hibernate.ddl-auto=create-drop",
    "spring.jpa.properties.hibernate.generate_statistics=true",
    "spring.jpa.open-in-view=false",
    Boot.EXCLUDE_REDIS,
    "logging.level.org.hibernate.engine.internal.StatisticalLoggingSessionEventListener=warn"})
class SpringDataRepositoryTest {

  @Autowired
  ProductRepository repository;

  @Autowired
  EntityManagerFactory entityManagerFactory;

  private Statistics statistics;

  @BeforeEach
  void seed() {
    repository.deleteAllInBatch();
    repository.save(new Product(1L, "SKU-1", "one"));
    repository.save(new Product(2L, "SKU-2", "two"));
    statistics = entityManagerFactory.unwrap(SessionFactory.class).getStatistics();
    statistics.clear();
  }

  @Test
  void anAnnotatedDerivedQueryOnARepositoryInterfaceIsCached() {
    assertThat(repository.findBySku("SKU-1")).map(Product::getName).contains("one");
    assertThat(repository.findBySku("SKU-1")).map(Product::getName).contains("one");
    assertThat(statistics.getPrepareStatementCount()).isEqualTo(1);
  }

  @Test
  void anAnnotatedRedeclaredCrudMethodIsCached() {
    assertThat(repository.findById(2L)).map(Product::getName).contains("two");
    assertThat(repository.findById(2L)).map(Product::getName).contains("two");
    assertThat(statistics.getPrepareStatementCount()).isEqualTo(1);
  }

  @Test
  void anAbsentRowIsCachedAsNotFound() {
    assertThat(repository.findBySku("NOPE")).isEmpty();
    assertThat(repository.findBySku("NOPE")).isEmpty();
    assertThat(statistics.getPrepareStatementCount()).isEqualTo(1);
  }

  @Test
  void aRepositoryDefaultMethodEvictsAfterTheWrite() {
    assertThat(repository.findById(1L)).map(Product::getName).contains("one");
    repository.update(new Product(1L, "SKU-1", "renamed"));
    assertThat(repository.findById(1L)).map(Product::getName).contains("renamed");
  }

  @Test
  void concurrentCallersOfARepositoryMethodCauseOneQuery() throws Exception {
    int threads = 100;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Optional<Product>>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        results.add(pool.submit(() -> {
          start.await();
          return repository.findBySku("SKU-2");
        }));
      }
      start.countDown();
      for (Future<Optional<Product>> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).map(Product::getName).contains("two");
      }
      assertThat(statistics.getPrepareStatementCount()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }
}
