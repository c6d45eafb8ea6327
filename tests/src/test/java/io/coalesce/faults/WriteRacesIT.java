package io.coalesce.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.cluster.Instances;
import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductDb.Product;
import io.coalesce.core.LoadTimeoutException;
import io.coalesce.redis.internal.CircuitBreakerCallGuard;
import io.coalesce.test.Await;
import io.coalesce.test.RedisServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A write that has returned is never undone by a load that read before it, and is not lost because
 * one instance cannot use Redis: several instances on one real Redis, the races forced with a
 * database that holds a query after it read its row.
 */
class WriteRacesIT {

  static RedisServer redis;
  final ExecutorService callers = Executors.newCachedThreadPool();
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
  void flush() {
    redis.flushAll();
    db = new ProductDb();
    db.put(1, "old");
  }

  @AfterEach
  void stop() {
    callers.shutdownNow();
    if (instances != null) {
      instances.close();
    }
  }

  private void start(String... properties) {
    String[] all = new String[properties.length + 1];
    all[0] = "spring.data.redis.port=" + redis.port();
    System.arraycopy(properties, 0, all, 1, properties.length);
    instances = Instances.start(2, db, all);
  }

  @Test
  void anEvictAfterALoadOutlivedLoadTimeoutIsNotUndoneByItsWriteBack() throws Exception {
    start("coalesce.defaults.lock.enabled=false", "coalesce.defaults.load-timeout=300ms");
    CountDownLatch readDone = new CountDownLatch(1);
    db.holdAfterReadUntil(readDone);
    CompletableFuture<Product> slow = CompletableFuture.supplyAsync(() -> instances.service(0).find(1), callers);
    Await.until(() -> db.queries() == 1); // it has read "old" and is held
    assertThatThrownBy(() -> instances.service(0).find(1)).isInstanceOf(LoadTimeoutException.class);
    db.holdAfterReadUntil(null);

    instances.service(0).rename(1, "new"); // the row is updated, then the key evicted: the write returned
    readDone.countDown();
    assertThat(slow.get(10, TimeUnit.SECONDS).name()).isEqualTo("old"); // its own caller's answer

    assertThat(instances.service(1).find(1).name()).isEqualTo("new");
    assertThat(instances.service(0).find(1).name()).isEqualTo("new");
  }

  @Test
  void anEvictWhileThisInstancesBreakerIsOpenStillReachesRedisAndEveryInstance() {
    start("coalesce.defaults.local.ttl=10m");
    assertThat(instances.service(1).find(1).name()).isEqualTo("old"); // cached in Redis and in B's L1
    instances.context(0).getBean(CircuitBreakerCallGuard.class).breaker().transitionToOpenState();

    instances.service(0).rename(1, "new"); // Redis is healthy; only A's breaker is open

    Await.until(() -> redis.text("EXISTS", "it:products:{1}").equals("0"), Duration.ofSeconds(5));
    Await.until(() -> instances.service(1).find(1).name().equals("new"), Duration.ofSeconds(5));
  }

  @Test
  void theFirstSubscriptionAfterStartingWithoutRedisDropsL1CopiesThatMissedInvalidations() throws Exception {
    redis.kill();
    try {
      start("coalesce.defaults.local.ttl=10m", "spring.data.redis.timeout=200ms");
      assertThat(instances.service(0).find(1).name()).isEqualTo("old"); // kept for its window: no Redis
    } finally {
      redis.restart();
    }
    // Before A has subscribed, the row changes and the invalidation goes out: A cannot receive it.
    db.put(1, "new");
    redis.command("PUBLISH", "it:coalesce:events", "E|another-instance|products|1|1");

    // Without Redis, A keeps its copy for its whole 10 min window: only the subscription drops it.
    Await.until(() -> instances.service(0).find(1).name().equals("new"), Duration.ofSeconds(20));
  }
}
