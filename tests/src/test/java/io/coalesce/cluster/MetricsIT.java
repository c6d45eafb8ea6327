package io.coalesce.cluster;

import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.test.RedisServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import io.coalesce.test.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The meters only a shared tier produces ({@code l2_hit}, every {@code coalesce.lock} result,
 * {@code coalesce.redis.errors}), recorded by two application instances on one real Redis into the
 * registry Spring Boot Actuator gives each of them.
 */
class MetricsIT {

  /** Threads of their own: the common pool may have a single thread on a 2-core machine. */
  final ExecutorService callers = Executors.newCachedThreadPool();

  @AfterEach
  void stopCallers() {
    callers.shutdownNow();
  }

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

  @BeforeEach
  void start() {
    redis.flushAll();
    db = new ProductDb();
    for (long id = 1; id <= 4; id++) {
      db.put(id, "product-" + id);
    }
    instances = Instances.start(2, db,
        "spring.data.redis.port=" + redis.port(),
        "spring.data.redis.timeout=500ms",
        "coalesce.defaults.ttl=10m",
        "coalesce.defaults.early-refresh-beta=0",
        "coalesce.defaults.lock.lease=10s",
        "coalesce.defaults.lock.wait=1s",
        "coalesce.defaults.load-timeout=10s");
  }

  @AfterEach
  void stop() {
    instances.close();
  }

  MeterRegistry registry(int instance) {
    return instances.context(instance).getBean(MeterRegistry.class);
  }

  double count(int instance, String meter, String tag, String value) {
    return registry(instance).get(meter).tag("cache", "products").tag(tag, value).counter().count();
  }

  @Test
  void sharedTierMetersCountWhatEachInstanceDid() throws Exception {
    instances.service(0).find(1);                       // instance 0: miss, lock acquired, load
    instances.service(1).find(1);                       // instance 1: l2 hit
    assertThat(count(0, "coalesce.gets", "result", "miss")).isEqualTo(1);
    assertThat(count(0, "coalesce.lock", "result", "acquired")).isEqualTo(1);
    assertThat(registry(0).get("coalesce.loads").tag("cache", "products").tag("outcome", "success")
        .timer().count()).isEqualTo(1);
    assertThat(count(1, "coalesce.gets", "result", "l2_hit")).isEqualTo(1);
    assertThat(registry(1).get("coalesce.loads").tag("cache", "products").tag("outcome", "success")
        .timer().count()).isZero();

    // Instance 1 finds the lock held by instance 0's load, waits, and gets its value.
    CountDownLatch gate = new CountDownLatch(1);
    db.holdQueriesUntil(gate);
    int before = db.queries();
    CompletableFuture<?> holder = CompletableFuture.runAsync(() -> instances.service(0).find(2), callers);
    Await.until(() -> db.queries() == before + 1);
    CompletableFuture<?> waiter = CompletableFuture.runAsync(() -> instances.service(1).find(2), callers);
    Await.until(() -> count(1, "coalesce.lock", "result", "contended") == 1);
    gate.countDown();
    holder.get(10, TimeUnit.SECONDS);
    waiter.get(10, TimeUnit.SECONDS);
    assertThat(count(1, "coalesce.lock", "result", "waited")).isEqualTo(1);
    assertThat(db.queries()).isEqualTo(before + 1);

    // Nothing arrives within lock.wait (1 s): instance 1 gives up and loads on its own.
    CountDownLatch longGate = new CountDownLatch(1);
    db.holdQueriesUntil(longGate);
    int before3 = db.queries();
    CompletableFuture<?> slowHolder = CompletableFuture.runAsync(() -> instances.service(0).find(3), callers);
    Await.until(() -> db.queries() == before3 + 1);
    CompletableFuture<?> givingUp = CompletableFuture.runAsync(() -> instances.service(1).find(3), callers);
    Await.until(() -> count(1, "coalesce.lock", "result", "gave_up") == 1);
    longGate.countDown();
    slowHolder.get(10, TimeUnit.SECONDS);
    givingUp.get(10, TimeUnit.SECONDS);
    assertThat(count(1, "coalesce.lock", "result", "contended")).isEqualTo(2);

    // Redis gone: the failure is counted by operation and the caller is served.
    db.holdQueriesUntil(null);
    redis.kill();
    try {
      assertThat(instances.service(0).find(4).name()).isEqualTo("product-4");
      assertThat(registry(0).get("coalesce.redis.errors").tag("operation", "get").counter().count())
          .isGreaterThanOrEqualTo(1);
    } finally {
      redis.restart();
    }
  }

}
