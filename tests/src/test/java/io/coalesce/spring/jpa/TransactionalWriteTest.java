package io.coalesce.spring.jpa;

import io.coalesce.it.Boot;
import org.junit.jupiter.api.AfterEach;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Puts and evicts called inside a transaction take effect when it commits: a rolled-back write leaves
 * the cache alone, and a reader that runs between the write and the commit cannot cache the old row
 * for good.
 */
@SpringBootTest(classes = JpaTestApplication.class, properties = {
    "spring.datasource.url=jdbc:h2:mem:coalesce-tx;DB_CLOSE_DELAY=-1",
    "spring.jpa.hibernate.ddl-auto=create-drop",
    "spring.jpa.open-in-view=false",
    Boot.EXCLUDE_REDIS})
class TransactionalWriteTest {

  /** Threads of their own: the common pool may have a single thread on a 2-core machine. */
  final ExecutorService callers = Executors.newCachedThreadPool();

  @AfterEach
  void stopCallers() {
    callers.shutdownNow();
  }

  @Autowired
  ProductRepository repository;
  TransactionTemplate transaction;

  @Autowired
  void transactions(PlatformTransactionManager manager) {
    transaction = new TransactionTemplate(manager);
  }

  @BeforeEach
  void seed() {
    repository.deleteAllInBatch();
    repository.save(new Product(1L, "SKU-1", "one"));
    repository.save(new Product(2L, "SKU-2", "two"));
    repository.update(new Product(1L, "SKU-1", "one")); // evicts anything cached by earlier tests
    repository.update(new Product(2L, "SKU-2", "two"));
  }

  @Test
  void aPutInsideARolledBackTransactionIsNeverCached() {
    assertThat(repository.findById(1L)).map(Product::getName).contains("one");

    transaction.executeWithoutResult(status -> {
      repository.store(new Product(1L, "SKU-1", "uno"));
      status.setRollbackOnly();
    });

    assertThat(repository.findById(1L)).map(Product::getName).contains("one");
  }

  @Test
  void aPutInsideATransactionIsCachedWhenItCommits() {
    assertThat(repository.findById(1L)).map(Product::getName).contains("one");

    transaction.executeWithoutResult(status -> {
      repository.store(new Product(1L, "SKU-1", "uno"));
      assertThat(readElsewhere(1L)).isEqualTo("one"); // not before the commit
    });

    assertThat(repository.findById(1L)).map(Product::getName).contains("uno");
  }

  @Test
  void aReaderBetweenTheWriteAndTheCommitCannotKeepTheOldRowCached() {
    assertThat(repository.findById(2L)).map(Product::getName).contains("two");

    transaction.executeWithoutResult(status -> {
      repository.update(new Product(2L, "SKU-2", "deux"));
      repository.flush();
      // Another request reads now: the update is not committed, so it can only see "two".
      assertThat(readElsewhere(2L)).isEqualTo("two");
    });

    assertThat(repository.findById(2L)).map(Product::getName).contains("deux");
  }

  /** A read through the cache on another thread, outside this test's transaction. */
  private String readElsewhere(long id) {
    try {
      return CompletableFuture.supplyAsync(() -> repository.findById(id).map(Product::getName).orElse(null), callers)
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
