package io.coalesce.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.annotation.Coalesced;
import io.coalesce.it.Boot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code batch = true} on {@code Flux}, {@code Mono<List>}, {@code Mono<Map>} and
 * {@code CompletableFuture} methods, without Redis: each id its own entry shared with the single-id
 * method, the method called with the uncached ids only, one load per id across concurrent batches and
 * single reads, and the subscriber's Reactor Context reaching the method's publisher.
 */
class ReactiveBatchTest {

  record Sku(long id, String name) {}

  /** A reactive repository over an in-memory table: ids below 100 exist. */
  public static class Skus {
    final List<List<Long>> queries = new CopyOnWriteArrayList<>();
    final Map<Long, AtomicInteger> loadsPerId = new ConcurrentHashMap<>();
    final List<Object> tenantsSeen = new CopyOnWriteArrayList<>();
    volatile Mono<Void> gate = Mono.empty();

    public List<List<Long>> queries() {
      return queries;
    }

    public Map<Long, AtomicInteger> loadsPerId() {
      return loadsPerId;
    }

    public List<Object> tenantsSeen() {
      return tenantsSeen;
    }

    public void holdQueriesUntil(Mono<Void> gate) {
      this.gate = gate;
    }

    private List<Sku> query(Collection<Long> ids) {
      queries.add(List.copyOf(ids));
      List<Sku> found = new ArrayList<>();
      for (Long id : ids) {
        loadsPerId.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        if (id < 100) {
          found.add(new Sku(id, "sku-" + id));
        }
      }
      java.util.Collections.reverse(found); // not in the order asked
      return found;
    }

    private Flux<Sku> rows(Collection<Long> ids) {
      return Flux.deferContextual(context -> {
        tenantsSeen.add(context.getOrDefault("tenant", "none"));
        return gate.thenMany(Flux.defer(() -> Flux.fromIterable(query(ids))));
      }).subscribeOn(Schedulers.boundedElastic());
    }

    @Coalesced(cache = "skus", batch = true, elementId = "id")
    public Flux<Sku> findAllById(Collection<Long> ids) {
      return rows(ids);
    }

    @Coalesced(cache = "skus", batch = true, elementId = "id")
    public Mono<List<Sku>> listByIds(List<Long> ids) {
      return rows(ids).collectList();
    }

    @Coalesced(cache = "skus", batch = true)
    public Mono<Map<Long, Sku>> mapByIds(Set<Long> ids) {
      return rows(ids).collectMap(Sku::id);
    }

    @Coalesced(cache = "skus", batch = true, elementId = "id")
    public CompletableFuture<List<Sku>> futureByIds(List<Long> ids) {
      return rows(ids).collectList().toFuture();
    }

    @Coalesced(cache = "skus", key = "#id")
    public Mono<Sku> findById(Long id) {
      return rows(List.of(id)).next();
    }
  }

  private void withSkus(Consumer<Skus> test) {
    new ApplicationContextRunner().withConfiguration(Boot.coalesce()).withBean(Skus.class).run(context -> {
      assertThat(context).hasNotFailed();
      test.accept(context.getBean(Skus.class));
    });
  }

  private static List<Long> ids(long... ids) {
    List<Long> list = new ArrayList<>();
    for (long id : ids) {
      list.add(id);
    }
    return list;
  }

  @Test
  void aFluxBatchQueriesOnlyTheUncachedIdsAndEmitsTheFoundOnesInTheOrderAsked() {
    withSkus(skus -> {
      assertThat(skus.findAllById(ids(3, 1, 200)).collectList().block(Duration.ofSeconds(5)))
          .containsExactly(new Sku(3, "sku-3"), new Sku(1, "sku-1"));
      assertThat(skus.findAllById(ids(1, 2, 3, 200, 2)).collectList().block(Duration.ofSeconds(5)))
          .containsExactly(new Sku(1, "sku-1"), new Sku(2, "sku-2"), new Sku(3, "sku-3"));
      assertThat(skus.queries()).containsExactly(ids(3, 1, 200), ids(2));
      assertThat(skus.findById(2L).block(Duration.ofSeconds(5))).as("the single-id method reads the same entry")
          .isEqualTo(new Sku(2, "sku-2"));
      assertThat(skus.findById(200L).blockOptional(Duration.ofSeconds(5))).as("not found, cached").isEmpty();
      assertThat(skus.queries()).hasSize(2);
    });
  }

  @Test
  void monoListMonoMapAndFutureBatchesShareTheEntries() {
    withSkus(skus -> {
      assertThat(skus.listByIds(ids(5, 4)).block(Duration.ofSeconds(5)))
          .containsExactly(new Sku(5, "sku-5"), new Sku(4, "sku-4"));
      Map<Long, Sku> expected = new LinkedHashMap<>();
      expected.put(4L, new Sku(4, "sku-4"));
      expected.put(6L, new Sku(6, "sku-6"));
      assertThat(skus.mapByIds(new java.util.LinkedHashSet<>(ids(4, 6, 300))).block(Duration.ofSeconds(5)))
          .containsExactlyEntriesOf(expected);
      assertThat(skus.futureByIds(ids(6, 7, 5)).join())
          .containsExactly(new Sku(6, "sku-6"), new Sku(7, "sku-7"), new Sku(5, "sku-5"));
      assertThat(skus.queries()).containsExactly(ids(5, 4), ids(6, 300), ids(7));
    });
  }

  /**
   * 60 reads released together on the parallel scheduler, each a window of 4 of 30 cold ids (batches
   * of every shape, and single reads), the queries held until all have arrived: every id is queried
   * once. 20 rounds, the cache cleared between them.
   */
  @Test
  void concurrentBatchesAndSingleReadsLoadEachIdOnce() {
    new ApplicationContextRunner().withConfiguration(Boot.coalesce()).withBean(Skus.class).run(context -> {
      Skus skus = context.getBean(Skus.class);
      io.coalesce.core.CoalescingCache cache = context.getBean(io.coalesce.core.CoalescingCacheManager.class)
          .getCache("skus");
      for (int round = 0; round < 20; round++) {
        cache.clear();
        skus.loadsPerId().clear();
        reactor.core.publisher.Sinks.Empty<Void> open = reactor.core.publisher.Sinks.empty();
        skus.holdQueriesUntil(open.asMono());
        List<Mono<Object>> reads = new ArrayList<>();
        for (int s = 0; s < 60; s++) {
          long first = (s * 7) % 27;
          List<Long> window = ids(first, first + 1, first + 2, first + 3);
          Mono<?> read = switch (s % 4) {
            case 0 -> skus.findAllById(window).collectList();
            case 1 -> skus.listByIds(window);
            case 2 -> skus.mapByIds(new java.util.LinkedHashSet<>(window));
            default -> skus.findById(window.get(0));
          };
          reads.add(read.<Object>map(v -> v).subscribeOn(Schedulers.parallel()));
        }
        Schedulers.parallel().schedule(open::tryEmitEmpty, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        List<Object> results = Flux.merge(reads).collectList().block(Duration.ofSeconds(10));
        skus.holdQueriesUntil(Mono.empty());
        assertThat(results).hasSize(60);
        assertThat(skus.loadsPerId()).as("round " + round).hasSize(30)
            .allSatisfy((id, loads) -> assertThat(loads.get()).as("loads of id " + id).isEqualTo(1));
      }
    });
  }

  @Test
  void theSubscribersContextReachesTheMethodsPublisherOnAMiss() {
    withSkus(skus -> {
      assertThat(skus.findAllById(ids(8, 9)).contextWrite(c -> c.put("tenant", "acme")).collectList()
          .block(Duration.ofSeconds(5))).hasSize(2);
      assertThat(skus.findById(10L).contextWrite(c -> c.put("tenant", "globex")).block(Duration.ofSeconds(5)))
          .isEqualTo(new Sku(10, "sku-10"));
      assertThat(skus.tenantsSeen()).containsExactly("acme", "globex");
    });
  }
}
