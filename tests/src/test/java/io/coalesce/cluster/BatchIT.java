package io.coalesce.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.cluster.ProductDb.Product;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.redis.internal.RedisOutcome;
import io.coalesce.redis.internal.RedisTiers;
import io.coalesce.test.Await;
import io.coalesce.test.RedisServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Batch methods ({@code @Coalesced(batch = true)}) on application instances sharing one real Redis:
 * each id is its own entry, shared with the single-id method; only the missing ids reach the
 * database, in one query; the whole cluster loads each id once.
 */
class BatchIT {

  static RedisServer redis;
  ProductDb db;
  Instances instances;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  void start(int count) {
    redis.flushAll();
    db = new ProductDb();
    for (long id = 1; id <= 1_000; id++) {
      db.put(id, "product-" + id);
    }
    instances = Instances.start(count, db,
        "spring.data.redis.port=" + redis.port(),
        "spring.data.redis.timeout=2s",
        "coalesce.defaults.ttl=10m",
        "coalesce.defaults.lock.lease=5s",
        "coalesce.defaults.lock.wait=10s",
        "coalesce.defaults.load-timeout=20s");
  }

  @AfterEach
  void stop() {
    if (instances != null) {
      instances.close();
    }
  }

  static List<Long> ids(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  @Test
  void onlyTheMissingIdsAreQueriedInOneCallAndEveryIdIsThenAHitForFindById() {
    start(2);
    ProductService service = instances.service(0);
    for (long id = 1; id <= 60; id++) {
      instances.service(1).find(id); // 60 cached by the other instance: in Redis, not in this L1
    }
    db.batchQueries().clear();
    int before = db.queries();
    List<String> redisCalls = redisCalls(0);

    List<Product> found = service.findAll(ids(1, 100));

    assertThat(found).extracting(Product::id).containsExactlyElementsOf(ids(1, 100)); // asked order
    assertThat(db.batchQueries()).hasSize(1);
    assertThat(db.batchQueries().get(0)).containsExactlyInAnyOrderElementsOf(ids(61, 100));
    assertThat(db.queries()).isEqualTo(before + 1);
    assertThat(redisCalls).as("one read of the 100 ids (and the locks of 40), one write-back of the 40")
        .containsExactly("get", "put");
    for (long id = 1; id <= 100; id++) {
      assertThat(service.find(id)).isEqualTo(new Product(id, "product-" + id));
      assertThat(instances.service(1).find(id)).isEqualTo(new Product(id, "product-" + id));
    }
    assertThat(db.queries()).as("findById of any of the 100 makes no query").isEqualTo(before + 1);
  }

  @Test
  void idsNotFoundAreCachedAsNotFoundAndAMapResultWorksAlike() {
    start(1);
    ProductService service = instances.service(0);

    Map<Long, Product> found = service.findMap(Set.of(5L, 5_000L, 6L));
    assertThat(found).containsOnlyKeys(5L, 6L);
    int before = db.queries();

    assertThat(service.findAll(List.of(5_000L, 5L))).containsExactly(new Product(5, "product-5"));
    assertThat(service.find(5_000L)).isNull();
    assertThat(db.queries()).isEqualTo(before);
  }

  @Test
  void batchEvictAndPutReachEveryInstance() {
    start(2);
    instances.service(0).findAll(ids(1, 10));
    instances.service(1).findAll(ids(1, 10));

    instances.service(0).renameAll(List.of(3L, 4L), "renamed-");
    instances.service(0).saveAll(List.of(new Product(5, "saved-5"), new Product(6, "saved-6")));
    // Instance 1 drops its copies of 3 to 6 when their invalidation messages arrive (pub/sub: shortly
    // after, in order; reading before then served an old copy of 6 once in CI). Its read of 6 answers
    // from Redis once the last message has arrived, without a query.
    CoalescingCache onInstance1 = instances.context(1).getBean(CoalescingCacheManager.class).getCache("products");
    Await.until(() -> onInstance1.get(6L, Product.class, () -> {
      throw new AssertionError("6 is in Redis: never loaded");
    }).name().equals("saved-6"));
    int before = db.queries();

    assertThat(instances.service(1).findAll(ids(1, 10))).extracting(Product::name)
        .containsExactly("product-1", "product-2", "renamed-3", "renamed-4", "saved-5", "saved-6",
            "product-7", "product-8", "product-9", "product-10");
    assertThat(db.queries()).as("only the two evicted ids are loaded again, in one query").isEqualTo(before + 1);
    assertThat(db.batchQueries().get(db.batchQueries().size() - 1)).containsExactlyInAnyOrder(3L, 4L);
  }

  /**
   * 4 instances × 20 threads released together; each thread asks a batch of 200 ids over 1,000 that
   * overlaps the others' (and a few ask single ids): every id is loaded exactly once cluster-wide.
   */
  @Test
  void overlappingBatchesOnFourInstancesLoadEachIdOnceClusterWide() throws InterruptedException {
    start(4);
    db.latency(50); // every query runs while the others' batches arrive
    List<Callable<?>> calls = new ArrayList<>();
    List<List<Long>> asked = new CopyOnWriteArrayList<>();
    for (int i = 0; i < instances.size(); i++) {
      ProductService service = instances.service(i);
      for (int t = 0; t < 20; t++) {
        long start = ((i * 20L + t) * 97) % 1_000;
        List<Long> batch = LongStream.range(start, start + 200).map(id -> id % 1_000 + 1).boxed().toList();
        asked.add(batch);
        if (t % 10 == 9) {
          long single = batch.get(100);
          calls.add(() -> List.of(service.find(single)));
        } else {
          calls.add(() -> service.findAll(batch));
        }
      }
    }

    List<Object> results = Burst.run(calls);

    for (int c = 0; c < results.size(); c++) {
      assertThat(results.get(c)).as("call %d", c).isInstanceOf(List.class);
      for (Object p : (List<?>) results.get(c)) {
        Product product = (Product) p;
        assertThat(product.name()).isEqualTo("product-" + product.id());
      }
    }
    Set<Long> everyId = asked.stream().flatMap(List::stream).collect(Collectors.toCollection(HashSet::new));
    Map<Long, Integer> loads = db.loadsPerId().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get()));
    assertThat(loads.values().stream().mapToInt(Integer::intValue).sum() + singleQueries())
        .as("loads of all ids, batch and single").isEqualTo(everyId.size());
    assertThat(loads).allSatisfy((id, n) -> assertThat(n).as("batch loads of id %d", id).isEqualTo(1));
    for (int i = 0; i < instances.size(); i++) {
      assertThat(instances.context(i).getBean(RedisTiers.class).health().failures()).isZero();
    }
  }

  /** Queries that were not batch queries: single finds that loaded their id themselves. */
  private int singleQueries() {
    return db.queries() - db.batchQueries().size();
  }

  private List<String> redisCalls(int instance) {
    List<String> calls = new CopyOnWriteArrayList<>();
    instances.context(instance).getBean(RedisTiers.class).subscribe(outcome -> {
      if (outcome instanceof RedisOutcome.Succeeded || outcome instanceof RedisOutcome.Failed) {
        calls.add(outcome.operation());
      }
    });
    return calls;
  }
}
