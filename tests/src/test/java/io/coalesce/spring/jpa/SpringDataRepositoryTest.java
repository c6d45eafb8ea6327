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
  void anAnnotatedRedeclaredFindAllByIdIsCachedPerIdAndSharedWithFindById() {
    // ids of their own: the context, and so the cache, is shared by the tests of this class
    repository.save(new Product(11L, "SKU-11", "eleven"));
    repository.save(new Product(12L, "SKU-12", "twelve"));
    repository.save(new Product(13L, "SKU-13", "thirteen"));
    assertThat(repository.findById(11L)).isPresent();
    statistics.clear();

    assertThat(repository.findAllById(List.of(13L, 11L, 19L, 12L))).extracting(Product::getName)
        .containsExactly("thirteen", "eleven", "twelve");
    assertThat(statistics.getPrepareStatementCount()).as("one query for 13, 19 and 12").isEqualTo(1);
    assertThat(repository.findById(12L)).map(Product::getName).contains("twelve");
    assertThat(repository.findById(19L)).isEmpty();
    assertThat(repository.findAllById(List.of(11L, 12L, 13L, 19L))).hasSize(3);
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
