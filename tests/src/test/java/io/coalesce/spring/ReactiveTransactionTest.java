package io.coalesce.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.annotation.CoalescedPut;
import io.coalesce.it.Boot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.reactive.AbstractReactiveTransactionManager;
import org.springframework.transaction.reactive.GenericReactiveTransaction;
import org.springframework.transaction.reactive.TransactionSynchronizationManager;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;

/**
 * {@code @CoalescedPut} and {@code @CoalescedEvict} on {@code Mono} methods inside a reactive
 * transaction act after the commit, and not at all after a rollback, as they do for a thread-bound
 * transaction: a put before the commit would cache a row the database may never hold.
 */
class ReactiveTransactionTest {

  /** A reactive transaction manager that only records what it was asked to do. */
  static final class RecordingTransactionManager extends AbstractReactiveTransactionManager {
    final List<String> log = new CopyOnWriteArrayList<>();

    @Override
    protected Object doGetTransaction(TransactionSynchronizationManager synchronizationManager) {
      return new Object();
    }

    @Override
    protected Mono<Void> doBegin(TransactionSynchronizationManager synchronizationManager, Object transaction,
        TransactionDefinition definition) {
      return Mono.fromRunnable(() -> log.add("begin"));
    }

    @Override
    protected Mono<Void> doCommit(TransactionSynchronizationManager synchronizationManager,
        GenericReactiveTransaction status) {
      return Mono.fromRunnable(() -> log.add("commit"));
    }

    @Override
    protected Mono<Void> doRollback(TransactionSynchronizationManager synchronizationManager,
        GenericReactiveTransaction status) {
      return Mono.fromRunnable(() -> log.add("rollback"));
    }
  }

  public static class Prices {
    final Map<String, Integer> table = new ConcurrentHashMap<>();

    /** A method, not the field: the bean seen by the test is a class proxy. */
    public Map<String, Integer> table() {
      return table;
    }

    @Coalesced(cache = "prices", key = "#sku")
    public Mono<Integer> find(String sku) {
      return Mono.fromCallable(() -> table.get(sku));
    }

    @CoalescedPut(cache = "prices", key = "#sku")
    public Mono<Integer> set(String sku, int price) {
      return Mono.fromCallable(() -> {
        table.put(sku, price);
        return price;
      });
    }

    @CoalescedEvict(cache = "prices", key = "#sku")
    public Mono<Void> remove(String sku) {
      return Mono.fromRunnable(() -> table.remove(sku));
    }
  }

  private void withPrices(BiConsumer<Prices, TransactionalOperator> test) {
    new ApplicationContextRunner().withConfiguration(Boot.coalesce()).withBean(Prices.class).run(context -> {
      assertThat(context).hasNotFailed();
      Prices prices = context.getBean(Prices.class);
      prices.table().put("a", 1);
      assertThat(prices.find("a").block(Duration.ofSeconds(5))).isEqualTo(1); // cached
      test.accept(prices, TransactionalOperator.create(new RecordingTransactionManager()));
    });
  }

  @Test
  void aPutInsideAReactiveTransactionIsCachedOnlyOnceItCommits() {
    withPrices((prices, transaction) -> {
      Integer seenInside = transaction.transactional(prices.set("a", 2).then(prices.find("a")))
          .block(Duration.ofSeconds(5));

      assertThat(seenInside).as("before the commit, the cache still holds the committed row").isEqualTo(1);
      assertThat(prices.find("a").block(Duration.ofSeconds(5))).as("after it").isEqualTo(2);
    });
  }

  @Test
  void aPutInsideAReactiveTransactionThatRollsBackIsNeverCached() {
    withPrices((prices, transaction) -> {
      assertThatThrownBy(() -> transaction.transactional(
          prices.set("a", 3).then(Mono.error(new IllegalStateException("constraint violated"))))
          .block(Duration.ofSeconds(5))).hasMessageContaining("constraint violated");

      assertThat(prices.find("a").block(Duration.ofSeconds(5))).isEqualTo(1);
    });
  }

  @Test
  void anEvictInsideAReactiveTransactionActsOnceItCommits() {
    withPrices((prices, transaction) -> {
      Integer seenInside = transaction.transactional(prices.remove("a").then(prices.find("a")))
          .block(Duration.ofSeconds(5));

      assertThat(seenInside).as("not evicted before the commit").isEqualTo(1);
      assertThat(prices.find("a").blockOptional(Duration.ofSeconds(5))).as("evicted after it").isEmpty();
    });
  }

  @Test
  void withoutATransactionAPutIsCachedBeforeItsValueIsPassedOn() {
    withPrices((prices, transaction) -> {
      assertThat(prices.set("a", 4).then(prices.find("a")).block(Duration.ofSeconds(5))).isEqualTo(4);
    });
  }
}
