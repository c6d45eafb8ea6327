package io.coalesce.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.coalesce.cluster.ProductDb.Product;
import io.coalesce.springcache.Catalog;
import io.coalesce.springcache.Catalog.Item;
import io.coalesce.springcache.CatalogApp;
import io.coalesce.test.RedisServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import io.coalesce.core.CoalesceBlockHoundIntegration;
import reactor.blockhound.BlockHound;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.ReactorBlockHoundIntegration;
import reactor.core.scheduler.Schedulers;

/**
 * {@code Mono} and {@code Flux} methods on four instances sharing a real Redis, every subscriber on
 * Reactor's {@code parallel} scheduler, whose threads BlockHound watches: a Redis call, a lock wait,
 * a bulkhead wait or a load on the subscribing thread would be reported. Runs in a JVM of its own
 * (the {@code blockhound} failsafe execution), since BlockHound stays installed.
 */
class ReactiveBlockHoundIT {

  /** Blocking calls BlockHound saw on a non-blocking thread. */
  static final List<String> BLOCKING_CALLS = new CopyOnWriteArrayList<>();

  static RedisServer redis;
  ProductDb db;
  Instances instances;

  @BeforeAll
  static void installBlockHoundAndStartRedis() {
    // Only in the failsafe execution made for it (its own JVM): another execution that -Dit.test
    // points here skips it. In its own execution it always runs, and .ci/run checks that it did.
    assumeTrue(Boolean.getBoolean("coalesce.blockhound.execution"),
        "runs in the 'blockhound' failsafe execution (its own JVM)");
    assertThat(ManagementFactory.getRuntimeMXBean().getInputArguments())
        .as("the 'blockhound' execution starts its JVM with the flag BlockHound needs")
        .contains("-XX:+AllowRedefinitionToAddDeleteMethods");
    // Reactor's own integration only: its parallel and single schedulers are the non-blocking threads.
    BlockHound.builder()
        .with(new ReactorBlockHoundIntegration())
        // As an application that watches every thread would: Coalesce's own threads are marked too,
        // and Coalesce's integration (applied last, as BlockHound.install() applies it) exempts them.
        .nonBlockingThreadPredicate(current -> current.or(t -> t.getName().startsWith("coalesce-")))
        .with(new CoalesceBlockHoundIntegration())
        .blockingMethodCallback(method -> {
          Error report = new Error("Blocking call " + method + " on " + Thread.currentThread().getName());
          // the whole stack, so that a failure names the code that blocked
          StringWriter stack = new StringWriter();
          report.printStackTrace(new PrintWriter(stack));
          BLOCKING_CALLS.add(stack.toString());
          throw report;
        })
        .install();
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void start() {
    redis.flushAll();
    BLOCKING_CALLS.clear();
    db = new ProductDb();
    db.put(1, "phone");
    db.put(2, "tablet");
    instances = Instances.start(4, db,
        "spring.data.redis.port=" + redis.port(),
        "spring.data.redis.timeout=2s",
        "coalesce.defaults.ttl=10m",
        "coalesce.defaults.lock.lease=5s",
        "coalesce.defaults.lock.wait=10s",
        "coalesce.defaults.load-timeout=20s");
  }

  @AfterEach
  void stop() {
    instances.close();
  }

  /** Each Mono subscribed on the parallel scheduler; all are merged and awaited by the test thread. */
  private static <T> List<Object> onParallel(List<Mono<T>> monos) {
    List<Mono<Object>> all = new ArrayList<>();
    for (Mono<T> mono : monos) {
      all.add(mono.<Object>map(v -> v).defaultIfEmpty("empty").onErrorResume(e -> Mono.just(e))
          .subscribeOn(Schedulers.parallel()));
    }
    return Flux.merge(all).collectList().block(Duration.ofSeconds(60));
  }

  @Test
  void blockHoundReportsABlockingCallOnTheParallelScheduler() {
    // The check itself can fail: a sleep on a parallel thread is reported.
    Object outcome = onParallel(List.of(Mono.fromCallable(() -> {
      Thread.sleep(1);
      return "slept";
    }))).get(0);
    assertThat(outcome).isInstanceOf(Error.class);
    assertThat(BLOCKING_CALLS).singleElement().asString().contains("sleep").contains("parallel");
  }

  @Test
  void twoHundredSubscribersOfAColdMonoOnFourInstancesShareOneLoadWithoutBlocking() {
    db.latency(300); // every subscriber arrives while the one load runs
    List<Mono<Product>> monos = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ReactiveProductService service = instances.reactive(i);
      for (int s = 0; s < 50; s++) {
        monos.add(service.find(1));
      }
    }

    List<Object> results = onParallel(monos);
    assertThat(BLOCKING_CALLS).as("blocking calls (their stacks)").isEmpty();

    assertThat(results).hasSize(200).allSatisfy(r -> assertThat(r).isEqualTo(new Product(1, "phone")));
    assertThat(db.queries()).isEqualTo(1);
    assertThat(BLOCKING_CALLS).isEmpty();
  }

  /**
   * Spring's own {@code @Cacheable} and {@code @CacheEvict} on {@code Mono} methods, on Coalesce's
   * cache manager ({@code coalesce.spring-cache.enabled}): the reads, the put that follows a miss
   * without {@code sync}, and the evict all happen on the parallel scheduler's threads.
   */
  @Test
  void springsCacheAnnotationsOnMonosThroughTheBridgeNeverBlock() throws Exception {
    Catalog.Rows rows = new Catalog.Rows();
    rows.put(1, "phone");
    List<ConfigurableApplicationContext> apps = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        apps.add(new SpringApplicationBuilder(CatalogApp.class).web(WebApplicationType.NONE)
            .initializers(c -> c.getBeanFactory().registerSingleton("rows", rows))
            .properties("spring.data.redis.port=" + redis.port(), "coalesce.key-prefix=blockhound-bridge",
                "coalesce.spring-cache.enabled=true", "coalesce.defaults.lock.wait=10s",
                "coalesce.defaults.load-timeout=20s")
            .run());
      }
      List<Catalog> catalogs = apps.stream().map(c -> c.getBean(Catalog.class)).toList();
      rows.latency(300);
      List<Mono<Item>> monos = new ArrayList<>();
      for (int s = 0; s < 100; s++) {
        Catalog catalog = catalogs.get(s % 2);
        monos.add(Mono.defer(() -> catalog.findMono(1)));
      }
      assertThat(onParallel(monos)).hasSize(100).allSatisfy(r -> assertThat(r).isEqualTo(new Item(1, "phone")));
      assertThat(rows.queries()).as("sync = true: one load for both instances").isEqualTo(1);
      rows.latency(0);

      Catalog a = catalogs.get(0);
      assertThat(BLOCKING_CALLS).as("blocking calls (their stacks)").isEmpty();
      assertThat(onParallel(List.of(Mono.defer(() -> a.findMonoWithoutSync(1))))).containsExactly(new Item(1, "phone"));
      // The put after the miss is handed off the parallel thread, so a read just after may miss too;
      // once it has landed, reads are hits.
      waitUntil(() -> {
        int before = rows.queries();
        Object got = onParallel(List.of(Mono.defer(() -> a.findMonoWithoutSync(1))));
        return !BLOCKING_CALLS.isEmpty() || got.equals(List.of(new Item(1, "phone"))) && rows.queries() == before;
      });
      assertThat(BLOCKING_CALLS).as("blocking calls (their stacks)").isEmpty();
      onParallel(List.of(Mono.defer(() -> a.renameMono(1, "smartphone")).then(Mono.just("renamed"))));
      waitUntil(() -> onParallel(List.of(Mono.defer(() -> a.findMonoWithoutSync(1))))
          .equals(List.of(new Item(1, "smartphone"))));
      assertThat(BLOCKING_CALLS).as("blocking calls (their stacks)").isEmpty();
    } finally {
      apps.forEach(ConfigurableApplicationContext::close);
    }
  }

  @Test
  void anEmptyMonoIsCachedAsNotFound() {
    assertThat(onParallel(List.of(instances.reactive(0).find(99)))).containsExactly("empty");
    assertThat(onParallel(List.of(instances.reactive(0).find(99), instances.reactive(1).find(99))))
        .containsExactly("empty", "empty");
    assertThat(db.queries()).isEqualTo(1);
    assertThat(BLOCKING_CALLS).isEmpty();
  }

  @Test
  void aFluxRoundTripsThroughRedisAsAList() {
    List<Object> first = Flux.defer(() -> instances.reactive(0).all()).subscribeOn(Schedulers.parallel())
        .collectList().<Object>map(l -> l).block(Duration.ofSeconds(30)) instanceof List<?> l ? List.copyOf(l) : null;
    List<Product> fromRedis = instances.reactive(1).all().subscribeOn(Schedulers.parallel())
        .collectList().block(Duration.ofSeconds(30));

    assertThat(first).containsExactly(new Product(1, "phone"), new Product(2, "tablet"));
    assertThat(fromRedis).containsExactly(new Product(1, "phone"), new Product(2, "tablet"));
    assertThat(db.queries()).as("the second instance read the list from Redis").isEqualTo(1);
    assertThat(redis.text("GET", "it:reactive-lists:{=}")).as("stored in Redis as one entry").isNotEmpty();
    assertThat(BLOCKING_CALLS).isEmpty();
  }

  @Test
  void aSubscriberThatCancelsDoesNotCancelTheLoadOfTheOthers() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    db.holdQueriesUntil(release);
    Disposable cancelled = instances.reactive(0).find(2).subscribeOn(Schedulers.parallel()).subscribe();
    List<Object> others = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(3);
    for (int i = 0; i < 3; i++) {
      instances.reactive(0).find(2).subscribeOn(Schedulers.parallel())
          .subscribe(others::add, e -> done.countDown(), done::countDown);
    }
    waitUntil(() -> db.queries() == 1);
    cancelled.dispose();
    release.countDown();

    assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(others).hasSize(3).allSatisfy(p -> assertThat(p).isEqualTo(new Product(2, "tablet")));
    assertThat(db.queries()).isEqualTo(1);
    assertThat(onParallel(List.of(instances.reactive(0).find(2)))).containsExactly(new Product(2, "tablet"));
    assertThat(db.queries()).as("the cancelled subscriber's load was stored").isEqualTo(1);
    assertThat(BLOCKING_CALLS).isEmpty();
  }

  @Test
  void anErrorReachesEverySubscriberUnchangedAndNothingIsCached() {
    IllegalStateException failure = new IllegalStateException("database down");
    db.latency(200);
    instances.reactive(0).failWith(failure);
    List<Mono<Product>> monos = new ArrayList<>();
    for (int s = 0; s < 20; s++) {
      monos.add(instances.reactive(0).find(1));
    }

    List<Object> results = onParallel(monos);
    assertThat(BLOCKING_CALLS).as("blocking calls (their stacks)").isEmpty();

    assertThat(results).hasSize(20).allSatisfy(r -> assertThat(r).isSameAs(failure));
    assertThat(db.queries()).isEqualTo(1);
    instances.reactive(0).failWith(null);
    assertThat(onParallel(List.of(instances.reactive(0).find(1)))).containsExactly(new Product(1, "phone"));
    assertThat(BLOCKING_CALLS).isEmpty();
  }

  @Test
  void aReactivePutAndEvictReachEveryInstance() throws InterruptedException {
    onParallel(List.of(instances.reactive(0).find(1), instances.reactive(1).find(1)));
    int before = db.queries();

    assertThat(onParallel(List.of(instances.reactive(0).save(1, "new phone")))).containsExactly(new Product(1, "new phone"));
    // The other instance drops its copy when the put's message arrives (pub/sub: shortly after).
    waitUntil(() -> onParallel(List.of(instances.reactive(1).find(1))).equals(List.of(new Product(1, "new phone"))));
    assertThat(db.queries()).as("the put stored the value in Redis: no query").isEqualTo(before);

    assertThat(onParallel(List.<Mono<Void>>of(instances.reactive(1).rename(1, "renamed phone")))).containsExactly("empty");
    waitUntil(() -> onParallel(List.of(instances.reactive(0).find(1))).equals(List.of(new Product(1, "renamed phone"))));
    assertThat(db.queries()).as("the evict removed it: one query").isEqualTo(before + 1);
    assertThat(BLOCKING_CALLS).isEmpty();
  }

  /**
   * Redis killed: bursts of misses on many keys, every one handed to Coalesce's executor from a
   * parallel thread while the breaker opens and Redis calls fail (issue 27 saw BlockHound report the
   * hand-off's queue lock in that state). Nothing blocks, and every subscriber gets its value.
   */
  @Test
  void aReactiveBatchsValuesAreWrittenToRedisForTheOtherInstances() {
    for (long id = 100; id < 104; id++) {
      db.put(id, "product-" + id);
    }
    List<Object> first = onParallel(List.of(instances.reactive(0).findAllById(List.of(100L, 101L, 102L)).collectList()));
    assertThat(first.get(0)).asList().hasSize(3);
    List<Object> second = onParallel(List.of(instances.reactive(1).byIds(List.of(100L, 101L, 102L, 103L))));
    List<Object> third = onParallel(List.of(instances.reactive(2).find(101L)));
    assertThat(BLOCKING_CALLS).as("blocking calls (their stacks)").isEmpty();
    assertThat(second.get(0)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).hasSize(4);
    assertThat(third.get(0)).isEqualTo(new Product(101, "product-101"));
    assertThat(db.batchQueries()).containsExactly(List.of(100L, 101L, 102L), List.of(103L));
    assertThat(db.queries()).isEqualTo(2);
  }

  /**
   * 200 reactive batches (a {@code Flux} and a {@code Mono<Map>} method) over overlapping windows of
   * 30 cold ids, and 200 single reads of 30 other cold ids, on four instances, on the parallel
   * scheduler: every id is queried once in the whole cluster, each batch gets every id it asked,
   * nothing blocks (and no executor thread waits for another instance while its own loads settle).
   */
  @Test
  void reactiveBatchesAndSingleReadsOnFourInstancesQueryEachColdIdOnceWithoutBlocking() {
    for (long id = 100; id < 130; id++) {
      db.put(id, "product-" + id);
    }
    for (long id = 130; id < 160; id++) {
      db.put(id, "product-" + id);
    }
    db.latency(300); // every batch arrives while the first queries run
    List<Mono<List<Long>>> monos = new ArrayList<>();
    java.util.Set<Long> singleIds = new java.util.HashSet<>();
    for (int i = 0; i < 4; i++) {
      ReactiveProductService service = instances.reactive(i);
      for (int s = 0; s < 50; s++) {
        long first = 100 + (s * 7 + i * 5) % 27;
        List<Long> window = List.of(first, first + 1, first + 2, first + 3);
        monos.add(s % 2 == 0
            ? service.findAllById(window).map(Product::id).collectList()
            : service.byIds(window).map(found -> List.copyOf(new java.util.TreeMap<>(found).keySet())));
        long single = 130 + (s * 7 + i * 3) % 30; // and single reads of other cold ids
        singleIds.add(single);
        monos.add(service.find(single).map(found -> List.of(found.id(), found.id(), found.id(), found.id())));
      }
    }

    List<Object> results = onParallel(monos);

    assertThat(BLOCKING_CALLS).as("blocking calls (their stacks)").isEmpty();
    assertThat(results).hasSize(400).allSatisfy(r -> assertThat(r).asList().hasSize(4));
    assertThat(db.queries() - db.batchQueries().size()).as("single queries: one per id in the cluster")
        .isEqualTo(singleIds.size());
    assertThat(db.loadsPerId()).as("queries: " + db.batchQueries()).hasSize(30)
        .allSatisfy((id, loads) -> assertThat(loads.get()).as("queries of id " + id).isEqualTo(1));
  }

  @Test
  void withRedisKilledBurstsOfMissesBlockNothing() {
    for (long id = 10; id < 60; id++) {
      db.put(id, "product-" + id);
    }
    redis.kill();
    try {
      for (int burst = 0; burst < 4; burst++) {
        List<Mono<Product>> monos = new ArrayList<>();
        for (long id = 10; id < 60; id++) {
          for (int i = 0; i < 4; i++) {
            monos.add(instances.reactive(i).find(id));
          }
        }
        List<Mono<List<Product>>> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          batches.add(instances.reactive(i).findAllById(List.of(10L, 20L, 30L, 40L, 50L)).collectList());
        }
        List<Object> results = onParallel(monos);
        List<Object> batchResults = onParallel(batches);
        assertThat(BLOCKING_CALLS).as("blocking calls (their stacks)").isEmpty();
        assertThat(results).hasSize(200).allSatisfy(r -> assertThat(r).isInstanceOf(Product.class));
        assertThat(batchResults).hasSize(4).allSatisfy(r -> assertThat(r).asList().hasSize(5));
      }
    } finally {
      redis.restart();
    }
  }

  /**
   * Coalesce's executor saturated (one thread, a queue of one, slow loads): a subscriber whose load it
   * cannot take gets a LoadRejectedException at once, on its own thread without blocking; none waits,
   * none has its load run on the subscribing thread.
   */
  @Test
  void aSaturatedExecutorRejectsLoadsInsteadOfBlockingTheSubscriber() {
    instances.close();
    instances = Instances.start(1, db, "spring.data.redis.port=" + redis.port(), "coalesce.refresh.threads=1",
        "coalesce.refresh.queue-capacity=1");
    for (long id = 10; id < 60; id++) {
      db.put(id, "product-" + id);
    }
    db.latency(200);
    List<Mono<Product>> monos = new ArrayList<>();
    for (long id = 10; id < 60; id++) {
      monos.add(instances.reactive(0).find(id));
    }

    List<Object> results = onParallel(monos);

    assertThat(BLOCKING_CALLS).as("blocking calls (their stacks)").isEmpty();
    assertThat(results).hasSize(50).allSatisfy(r -> assertThat(r)
        .isInstanceOfAny(Product.class, io.coalesce.core.LoadRejectedException.class));
    assertThat(results).filteredOn(r -> r instanceof io.coalesce.core.LoadRejectedException).isNotEmpty();
    assertThat(db.queries()).as("a rejected load never reached the database").isLessThan(50);
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.sleep(5);
    }
  }
}
