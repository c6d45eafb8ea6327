package io.coalesce.cluster;

import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.coalesce.cluster.ProductDb.Product;
import io.coalesce.core.CacheEntry;
import io.coalesce.core.CacheSettings;
import io.coalesce.redis.Jackson2EntryCodec;
import io.coalesce.redis.internal.RedisTiers;
import io.coalesce.test.RedisServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Four application instances (own contexts, own L1, own connections) sharing one real Redis: the
 * cluster-wide single flight, stale refresh, dead lock holders and cross-instance invalidation.
 */
class MultiInstanceIT {

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
  void startInstances() {
    redis.flushAll();
    db = new ProductDb();
    db.put(1, "phone");
    db.put(2, "tablet");
    instances = Instances.start(4, db,
        "spring.data.redis.port=" + redis.port(),
        "spring.data.redis.timeout=2s",
        "coalesce.defaults.ttl=10m",
        "coalesce.defaults.stale-ttl=1h",
        "coalesce.defaults.early-refresh-beta=0",
        "coalesce.defaults.lock.lease=3s",
        "coalesce.defaults.lock.wait=5s",
        "coalesce.defaults.load-timeout=10s");
  }

  @AfterEach
  void stopInstances() {
    instances.close();
  }

  /** 50 callers on each instance, all released together, all asking for one key. */
  private List<Object> findFromEveryInstance(long id) throws InterruptedException {
    List<Callable<?>> calls = new ArrayList<>();
    for (int i = 0; i < instances.size(); i++) {
      ProductService service = instances.service(i);
      for (int t = 0; t < 50; t++) {
        calls.add(() -> service.find(id));
      }
    }
    return Burst.run(calls);
  }

  @Test
  void aColdKeyIsLoadedOnceForTheWholeCluster() throws InterruptedException {
    db.latency(200); // a slow query, so that every caller arrives while it runs

    List<Object> results = findFromEveryInstance(1);

    assertThat(results).hasSize(200).allSatisfy(r -> assertThat(r).isEqualTo(new Product(1, "phone")));
    assertThat(db.queries()).isEqualTo(1);
  }

  @Test
  void aLogicallyExpiredKeyIsRefreshedOnceWhileEveryoneIsServedTheStaleValue() throws InterruptedException {
    long now = System.currentTimeMillis();
    CacheEntry expired = new CacheEntry(new Product(1, "old phone"), now - 20_000, now - 10_000, now + 3_600_000, 5);
    writeDirectly("products", "1", expired, Product.class);
    CountDownLatch refreshHeld = new CountDownLatch(1);
    db.holdQueriesUntil(refreshHeld); // the refresh cannot finish before every caller was served

    List<Object> results = findFromEveryInstance(1);

    assertThat(results).hasSize(200).allSatisfy(r -> assertThat(r).isEqualTo(new Product(1, "old phone")));
    db.holdQueriesUntil(null);
    refreshHeld.countDown();
    awaitUntil(() -> db.queries() >= 1 && instances.service(0).find(1).equals(new Product(1, "phone")));
    Thread.sleep(500); // a second refresh, if any instance started one, would have shown by now
    assertThat(db.queries()).isEqualTo(1);
    for (int i = 0; i < instances.size(); i++) {
      int instance = i;
      awaitUntil(() -> instances.service(instance).find(1).equals(new Product(1, "phone")));
    }
    assertThat(db.queries()).isEqualTo(1);
  }

  @Test
  void aLockHolderThatDiesIsReplacedAfterItsLease() throws Exception {
    CountDownLatch hung = new CountDownLatch(1);
    db.holdQueriesUntil(hung);
    CompletableFuture<Product> dying = CompletableFuture.supplyAsync(() -> instances.service(0).find(2), callers);
    awaitUntil(() -> db.queries() == 1); // instance 0 holds the lock and is inside the loader
    instances.context(0).close(); // the holder's instance goes away without releasing its lock
    db.holdQueriesUntil(null);

    long start = System.nanoTime();
    Product product = instances.service(1).find(2);
    long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(product).isEqualTo(new Product(2, "tablet"));
    assertThat(db.queries()).isEqualTo(2);
    // it waited for the lease (3 s) to lapse, and never beyond lock.wait + load-timeout
    assertThat(waitedMillis).isBetween(200L, 15_000L);
    System.out.printf("[MultiInstanceIT] lock holder died: next instance loaded after %d ms (lease 3 s)%n",
        waitedMillis);
    hung.countDown();
    dying.handle((p, e) -> null).get(10, TimeUnit.SECONDS);
  }

  @Test
  void anEvictOnOneInstanceReachesEveryOtherInstance() throws Exception {
    for (int i = 0; i < instances.size(); i++) {
      assertThat(instances.service(i).find(1).name()).isEqualTo("phone");
    }
    int queriesBefore = db.queries();

    long start = System.nanoTime();
    instances.service(0).rename(1, "smartphone");
    long[] seenAfterNanos = new long[instances.size()];
    for (int i = 1; i < instances.size(); i++) {
      int instance = i;
      awaitUntil(() -> instances.service(instance).find(1).name().equals("smartphone"));
      seenAfterNanos[i] = System.nanoTime() - start;
    }

    System.out.printf("[MultiInstanceIT] evict propagation: instance 1 %.1f ms, 2 %.1f ms, 3 %.1f ms%n",
        seenAfterNanos[1] / 1e6, seenAfterNanos[2] / 1e6, seenAfterNanos[3] / 1e6);
    assertThat(db.queries() - queriesBefore).as("reloads; per instance: %s", loadsPerInstance())
        .isEqualTo(1); // one reload for the cluster
  }

  /** What each instance's meters say it did, to tell which instance loaded when a count is off. */
  private String loadsPerInstance() {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < instances.size(); i++) {
      var registry = instances.context(i).getBean(io.micrometer.core.instrument.MeterRegistry.class);
      s.append("[").append(i).append(": loads=")
          .append(registry.find("coalesce.loads").tag("cache", "products").timers().stream()
              .mapToLong(t -> t.count()).sum())
          .append(" lock=").append(registry.find("coalesce.lock").tag("cache", "products").counters().stream()
              .filter(c -> c.count() > 0).map(c -> c.getId().getTag("result") + ":" + (long) c.count()).toList())
          .append(" gets=").append(registry.find("coalesce.gets").tag("cache", "products").counters().stream()
              .filter(c -> c.count() > 0).map(c -> c.getId().getTag("result") + ":" + (long) c.count()).toList())
          .append(" redisErrors=").append(instances.context(i).getBean(RedisTiers.class).health().failures())
          .append("] ");
    }
    return s.toString();
  }

  @Test
  void aPutOnOneInstanceIsWhatTheOthersReadNext() throws Exception {
    for (int i = 0; i < instances.size(); i++) {
      instances.service(i).find(1);
    }
    instances.service(2).save(1, "phone 2");
    for (int i = 0; i < instances.size(); i++) {
      int instance = i;
      awaitUntil(() -> instances.service(instance).find(1).name().equals("phone 2"));
    }
    assertThat(db.queries()).isEqualTo(1); // the put was stored, not reloaded
  }

  @Test
  void genericReturnTypesRoundTripThroughRedis() {
    ProductService writer = instances.service(0);
    ProductService reader = instances.service(1);
    assertThat(writer.all()).hasSize(2);
    assertThat(writer.byName()).hasSize(2);
    assertThat(writer.findOptional(1)).isPresent();
    assertThat(writer.findOptional(99)).isEmpty();
    int queries = db.queries();

    // A cold L1 on the reader: each value comes from Redis, decoded against the declared type.
    List<Product> list = reader.all();
    Map<String, Product> map = reader.byName();
    Optional<Product> present = reader.findOptional(1);
    Optional<Product> absent = reader.findOptional(99);

    assertThat(db.queries()).isEqualTo(queries);
    assertThat(list).containsExactly(new Product(1, "phone"), new Product(2, "tablet"));
    assertThat(list.get(0)).isInstanceOf(Product.class);
    assertThat(map).containsEntry("tablet", new Product(2, "tablet"));
    assertThat(map.get("phone")).isInstanceOf(Product.class);
    assertThat(present).contains(new Product(1, "phone"));
    assertThat(absent).isEmpty();
  }

  private void writeDirectly(String cache, String key, CacheEntry entry, Class<?> type) {
    LettuceConnectionFactory connections =
        new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", redis.port()));
    connections.afterPropertiesSet();
    connections.start();
    try {
      new RedisTiers(connections, "it", new Jackson2EntryCodec(new ObjectMapper()), Clock.systemUTC())
          .forCache(cache, CacheSettings.defaults())
          .put(key, entry, type);
    } finally {
      connections.destroy();
    }
  }

  interface Condition {
    boolean holds() throws Exception;
  }

  /** Polls a condition that is reached asynchronously (a background refresh, a pub/sub message). */
  static void awaitUntil(Condition condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      Thread.sleep(5);
    }
    throw new AssertionError("condition not reached within 10 s");
  }

  @Test
  void aPutOnOneInstanceIsNotOverwrittenByALoadThatReadTheOldRowOnAnother() throws Exception {
    db.put(5, "old");
    CountDownLatch readDone = new CountDownLatch(1);
    db.holdAfterReadUntil(readDone);
    CompletableFuture<Product> slowLoad = CompletableFuture.supplyAsync(() -> instances.service(0).find(5), callers);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (db.queries() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(db.queries()).isEqualTo(1); // instance 0 holds the lock and has read "old"
    db.holdAfterReadUntil(null);

    instances.service(1).save(5, "new"); // the row and the cache are updated meanwhile
    readDone.countDown();
    assertThat(slowLoad.get(10, TimeUnit.SECONDS).name()).isEqualTo("old"); // its own caller's answer

    // Its fenced write-back found the lock gone: Redis keeps the put's value for everyone else.
    assertThat(instances.service(2).find(5).name()).isEqualTo("new");
    assertThat(instances.service(3).find(5).name()).isEqualTo("new");
    assertThat(db.queries()).isEqualTo(1);
  }
}
