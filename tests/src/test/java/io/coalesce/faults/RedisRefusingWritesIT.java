package io.coalesce.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.cluster.Instances;
import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductService;
import io.coalesce.redis.internal.CircuitBreakerCallGuard;
import io.coalesce.test.RedisServer;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Redis that answers but refuses every write ({@code maxmemory} reached under {@code noeviction}: "OOM
 * command not allowed"). Before, every refused lock and write-back counted against the circuit
 * breaker, and the recovery probe's {@code PING}, which such a Redis answers, closed it again within
 * milliseconds of its opening: the breaker flapped for as long as Redis refused writes (dozens of
 * transitions a second, each logged, in an earlier version of this test; hundreds over four instances
 * in the benchmark's data-loss scenario). Redis still serves its values then, so it must go on being
 * read, with no transition at all, and the values it holds must not be loaded again.
 */
class RedisRefusingWritesIT {

  static final int KEYS = 50;
  static final long NEW_KEYS_FROM = 1_000;


  @Test
  void whileRedisRefusesWritesItIsStillReadAndTheBreakerStaysClosed() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      ProductDb db = new ProductDb();
      for (long id = 0; id < KEYS + 1; id++) {
        db.put(id, "product-" + id);
      }
      for (long id = NEW_KEYS_FROM; id < NEW_KEYS_FROM + 100_000; id++) {
        db.put(id, "product-" + id);
      }
      try (Instances instances = Instances.start(1, db,
          "spring.data.redis.port=" + redis.port(),
          "coalesce.defaults.ttl=20s",
          "coalesce.defaults.jitter=0",
          "coalesce.defaults.local.ttl=200ms")) { // L1 copies go quickly: reads reach Redis often
        CircuitBreakerCallGuard guard = instances.context(0).getBean(CircuitBreakerCallGuard.class);
        List<State> transitions = new java.util.concurrent.CopyOnWriteArrayList<>();
        guard.breaker().getEventPublisher().onStateTransition(e -> transitions.add(e.getStateTransition().getToState()));
        ProductService service = instances.service(0);
        for (long id = 0; id < KEYS; id++) {
          service.find(id); // loaded and written to Redis
        }
        assertThat(db.queries()).isEqualTo(KEYS);

        redis.command("CONFIG", "SET", "maxmemory", "1"); // every write refused from now on
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (int t = 0; t < 2; t++) {
          callers.execute(() -> {
            while (running.get()) {
              long id = ThreadLocalRandom.current().nextLong(KEYS);
              try {
                assertThat(service.find(id).name()).isEqualTo("product-" + id);
              } catch (Throwable e) {
                errors.add(e);
              }
            }
          });
        }
        // Keys Redis does not hold, one after another: each load's lock and write-back are refused.
        java.util.concurrent.atomic.AtomicInteger newKeys = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 2; t++) {
          callers.execute(() -> {
            while (running.get()) {
              long id = NEW_KEYS_FROM + newKeys.getAndIncrement();
              try {
                assertThat(service.find(id).name()).isEqualTo("product-" + id);
              } catch (Throwable e) {
                errors.add(e);
              }
            }
          });
        }
        try {
          Thread.sleep(1_500); // seven local.ttl: every L1 copy read from Redis again, several times
          running.set(false);
          callers.shutdown();
          assertThat(callers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
          assertThat(newKeys.get()).as("keys loaded that Redis would not store").isGreaterThan(50);
          assertThat(db.queries()).as("loads while Redis refused writes: the new keys' only, none of those it holds")
              .isEqualTo(KEYS + newKeys.get());
          assertThat(transitions).as("breaker transitions while Redis refused writes").isEmpty();
          assertThat(guard.state()).isEqualTo("CLOSED");
        } finally {
          running.set(false);
          callers.shutdown();
          assertThat(callers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(errors).as("callers' errors").isEmpty();

        redis.command("CONFIG", "SET", "maxmemory", "0");
        db.put(KEYS + 1, "product-" + (KEYS + 1));
        service.find(KEYS + 1);
        assertThat(redis.text("KEYS", "it:products:*").split("\\R")).as("values in Redis once it takes writes again")
            .anyMatch(key -> key.endsWith("{" + (KEYS + 1) + "}"));
        assertThat(transitions).isEmpty();
      }
    }
  }

  /**
   * A clear Redis refuses (its script writes a marker before it deletes) is replayed once Redis takes
   * writes again, though the instance that made it calls Redis no more: without that, the other
   * instances kept reading the values from before the clear from Redis until their ttl.
   */
  @Test
  void aClearRedisRefusedIsReplayedOnceItTakesWritesAgain() throws Exception {
    try (RedisServer redis = RedisServer.start()) {
      ProductDb db = new ProductDb();
      db.put(1, "phone");
      try (Instances instances = Instances.start(2, db,
          "spring.data.redis.port=" + redis.port(),
          "coalesce.defaults.ttl=60s",
          "coalesce.defaults.jitter=0",
          "coalesce.defaults.local.ttl=200ms")) {
        assertThat(instances.service(1).find(1).name()).isEqualTo("phone"); // in Redis and in instance 1's L1
        db.put(1, "smartphone"); // changed behind the cache's back: the clear below is what tells it
        redis.command("CONFIG", "SET", "maxmemory", "1");
        instances.context(0).getBean(io.coalesce.core.CoalescingCacheManager.class).getCache("products").clear();
        Thread.sleep(500);
        assertThat(instances.service(1).find(1).name()).as("while Redis refused the clear").isEqualTo("phone");
        redis.command("CONFIG", "SET", "maxmemory", "0"); // instance 0 makes no call from here on
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String seen = instances.service(1).find(1).name();
        while (!seen.equals("smartphone") && System.nanoTime() < deadline) {
          Thread.sleep(50);
          seen = instances.service(1).find(1).name();
        }
        assertThat(seen).as("instance 1, once Redis took writes again").isEqualTo("smartphone");
      }
    }
  }
}
