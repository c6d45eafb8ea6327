package io.coalesce.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.cluster.ProductDb.Product;
import io.coalesce.test.RedisCluster;
import io.coalesce.test.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import io.coalesce.redis.internal.RedisTiers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real three-master Redis Cluster: a key's value and its lock share one hash slot (the fenced
 * write-back script touches both), so the cluster-wide single flight holds there too; evicts reach
 * keys on every master, and the empty key of a method without arguments works.
 */
class RedisClusterIT {

  static RedisCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start(3);
  }

  @org.junit.jupiter.api.BeforeEach
  void flush() {
    cluster.nodes().forEach(RedisServer::flushAll);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void aColdKeyIsLoadedOnceAcrossInstancesOnARedisCluster() throws InterruptedException {
    ProductDb db = new ProductDb();
    for (long id = 1; id <= 20; id++) {
      db.put(id, "product-" + id);
    }
    db.latency(200);
    try (Instances instances = Instances.start(4, db,
        "spring.data.redis.cluster.nodes=" + cluster.nodeList(),
        "spring.data.redis.timeout=2s",
        "coalesce.defaults.lock.lease=5s")) {
      List<Callable<?>> calls = new ArrayList<>();
      for (int i = 0; i < instances.size(); i++) {
        ProductService service = instances.service(i);
        for (int t = 0; t < 50; t++) {
          calls.add(() -> service.find(7));
        }
      }

      List<Object> results = Burst.run(calls);

      assertThat(results).hasSize(200).allSatisfy(r -> assertThat(r).isEqualTo(new Product(7, "product-7")));
      assertThat(db.queries()).isEqualTo(1);

      // Keys spread over every master, and evict/clear reach them all.
      db.latency(0);
      for (long id = 1; id <= 20; id++) {
        instances.service(0).find(id);
      }
      assertThat(db.queries()).isEqualTo(20);
      instances.service(1).rename(3, "renamed");
      assertThat(instances.service(2).find(3).name()).isEqualTo("renamed");

      // A method without arguments has the empty key: its value and lock must still share a slot
      // (the fenced write-back touches both in one script; CROSSSLOT would be a Redis error).
      int before = db.queries();
      assertThat(instances.service(0).all()).hasSize(20);
      assertThat(instances.service(1).all()).hasSize(20);
      assertThat(db.queries()).isEqualTo(before + 1);
      for (int i = 0; i < instances.size(); i++) {
        assertThat(instances.context(i).getBean(RedisTiers.class).health().failures()).isZero();
      }
    }
  }

  /** A batch read groups its ids by slot: one script per slot, each touching only its own keys. */
  @Test
  void batchReadsAndWriteBacksSpanEverySlot() {
    ProductDb db = new ProductDb();
    for (long id = 1; id <= 150; id++) {
      db.put(id, "product-" + id);
    }
    try (Instances instances = Instances.start(2, db,
        "spring.data.redis.cluster.nodes=" + cluster.nodeList(),
        "spring.data.redis.timeout=2s")) {
      List<Long> first = java.util.stream.LongStream.rangeClosed(1, 100).boxed().toList();
      List<Long> all = java.util.stream.LongStream.rangeClosed(1, 200).boxed().toList();

      assertThat(instances.service(0).findAll(first)).hasSize(100);
      assertThat(instances.service(1).findAll(all)).hasSize(150)
          .allSatisfy(p -> assertThat(p.name()).isEqualTo("product-" + p.id()));

      assertThat(db.batchQueries()).hasSize(2);
      assertThat(db.batchQueries().get(1)).as("the other instance found the first 100 in Redis").hasSize(100)
          .allSatisfy(id -> assertThat(id).isGreaterThan(100L));
      int before = db.queries();
      assertThat(instances.service(0).find(150)).isEqualTo(new Product(150, "product-150"));
      assertThat(instances.service(0).find(170)).isNull();
      assertThat(db.queries()).isEqualTo(before);
      for (int i = 0; i < instances.size(); i++) {
        assertThat(instances.context(i).getBean(RedisTiers.class).health().failures()).isZero();
      }
    }
  }
}
