package io.coalesce.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.cluster.Instances;
import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductDb.Product;
import io.coalesce.cluster.ProductService;
import io.coalesce.core.CoalescingCacheManager;
import io.coalesce.redis.internal.RedisTiers;
import io.coalesce.test.Await;
import io.coalesce.test.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Four instances on one Redis, readers and writers on every instance at once, a slow loader, values
 * that expire and refresh while it runs; writers update a row and then evict or put its key through
 * the annotations, on a random instance. Mid-run Redis is flushed, runs out of memory, is killed and
 * restarted, or paused. Once the writers have stopped, the fault is over and the invalidations have
 * settled, every instance reads every key: no instance may serve a row older than the table's.
 *
 * <p>Writes to one row are serialized, as the database's row lock would serialize them; no cache can
 * order two concurrent puts of one key for the application.
 */
class ConsistencyTortureIT {

  static final int KEYS = 24;
  static final int READERS = 6;
  static final int WRITERS = 2;

  enum Fault {
    NONE, FLUSHALL, OUT_OF_MEMORY, KILL_AND_RESTART, CLIENT_PAUSE
  }

  static RedisServer redis;
  final ExecutorService threads = Executors.newCachedThreadPool();
  Instances instances;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void stop() {
    threads.shutdownNow();
    if (instances != null) {
      instances.close();
    }
  }

  /** Every fault with the lock on and off; {@code -Dtorture.faults=FLUSHALL,...} narrows it (to loop one). */
  static Stream<Arguments> runs() {
    String only = System.getProperty("torture.faults", "");
    List<Arguments> runs = new ArrayList<>();
    for (boolean lock : new boolean[] {true, false}) {
      for (Fault fault : Fault.values()) {
        if (only.isEmpty() || List.of(only.split(",")).contains(fault.name())) {
          runs.add(Arguments.of(lock, fault));
        }
      }
    }
    return runs.stream();
  }

  @ParameterizedTest(name = "lock {0}, fault {1}")
  @MethodSource("runs")
  void noInstanceServesAnOldRowOnceWritesHaveStopped(boolean lock, Fault fault) throws Exception {
    if (!redis.answers()) {
      redis.restart();
    }
    redis.command("CONFIG", "SET", "maxmemory", "0");
    redis.flushAll();
    ProductDb db = new ProductDb();
    for (long id = 0; id < KEYS; id++) {
      db.put(id, "v0");
    }
    db.slowAfterRead(15); // a load returns the row as it was when it read it, 15 ms earlier
    instances = Instances.start(4, db,
        "spring.data.redis.port=" + redis.port(),
        "spring.data.redis.timeout=300ms",
        "coalesce.defaults.ttl=2s",
        "coalesce.defaults.stale-ttl=1h",
        "coalesce.defaults.early-refresh-beta=1",
        "coalesce.defaults.local.ttl=10m", // an invalidation that went missing would show
        "coalesce.defaults.lock.enabled=" + lock,
        "coalesce.defaults.lock.lease=2s",
        "coalesce.defaults.lock.wait=2s",
        "coalesce.defaults.load-timeout=5s",
        "coalesce.caches.maybe-products.ttl=10m"); // the settle marker's cache: only a message drops it

    AtomicBoolean running = new AtomicBoolean(true);
    Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    AtomicLong reads = new AtomicLong();
    AtomicLong writes = new AtomicLong();
    AtomicLong sequence = new AtomicLong();
    Object[] rowLocks = new Object[KEYS];
    for (int i = 0; i < KEYS; i++) {
      rowLocks[i] = new Object();
    }
    List<Future<?>> work = new ArrayList<>();
    for (int r = 0; r < READERS; r++) {
      work.add(threads.submit(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.get()) {
          try {
            Product product = instances.service(random.nextInt(4)).find(random.nextInt(KEYS));
            if (product == null) {
              errors.add(new AssertionError("an existing row was answered \"not found\""));
            }
            reads.incrementAndGet();
          } catch (Throwable t) {
            errors.add(t);
          }
        }
      }));
    }
    for (int w = 0; w < WRITERS; w++) {
      work.add(threads.submit(() -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.get()) {
          int key = random.nextInt(KEYS);
          try {
            synchronized (rowLocks[key]) {
              String name = "v" + sequence.incrementAndGet();
              if (random.nextBoolean()) {
                instances.service(random.nextInt(4)).rename(key, name); // update, then @CoalescedEvict
              } else {
                instances.service(random.nextInt(4)).save(key, name);   // update, then @CoalescedPut
              }
            }
            writes.incrementAndGet();
            Thread.sleep(2);
          } catch (InterruptedException e) {
            return;
          } catch (Throwable t) {
            errors.add(t);
          }
        }
      }));
    }

    Thread.sleep(1_000);
    inject(fault);
    Thread.sleep(1_000);
    heal(fault);
    Thread.sleep(1_000);
    running.set(false);
    for (Future<?> f : work) {
      f.get(30, TimeUnit.SECONDS);
    }

    // Settled: Redis answers every instance, no write waits to be replayed, every instance listens.
    Await.until(() -> {
      for (int i = 0; i < instances.size(); i++) {
        RedisTiers tiers = instances.context(i).getBean(RedisTiers.class);
        if (tiers.pendingWrites() > 0 || !tiers.guard().isAvailable()) {
          return false;
        }
      }
      return subscribers() >= instances.size();
    }, Duration.ofSeconds(30));
    int loads = db.queries();
    awaitEveryInstanceAppliedEveryMessage(db);

    List<String> stale = new ArrayList<>();
    for (int i = 0; i < instances.size(); i++) {
      for (long id = 0; id < KEYS; id++) {
        String expected = db.find(id).name();
        Product served = instances.service(i).find(id);
        if (served == null || !served.name().equals(expected)) {
          stale.add("instance " + i + " key " + id + ": served " + (served == null ? null : served.name())
              + ", table has " + expected + "; in Redis: " + redis.text("GET", "it:products:{" + id + "}")
              .replaceAll("[^\\x20-\\x7e]", ".") + ", version " + redis.text("GET", "it:products:{" + id + "}:v"));
        }
      }
    }
    System.out.printf("[ConsistencyTortureIT] lock %s, fault %s: %d reads, %d writes, %d loads, %d errors, "
        + "%d stale%n", lock, fault, reads.get(), writes.get(), loads, errors.size(), stale.size());
    assertThat(errors).as("caller errors").isEmpty();
    assertThat(stale).as("old rows served after the writes stopped").isEmpty();
  }

  /**
   * Every write is done and in Redis; its message may still be on its way. An instance applies
   * messages in the order Redis sent them, so one more message, sent now, tells when it has applied
   * every earlier one: each instance holds a marker row in L1 (not in Redis), the row changes and its
   * key is evicted through instance 0, and each instance is read until it serves the new row.
   */
  private void awaitEveryInstanceAppliedEveryMessage(ProductDb db) {
    long marker = 1_000;
    db.put(marker, "before");
    for (int i = 0; i < instances.size(); i++) {
      ProductService service = instances.service(i);
      service.findOptional(marker);
      redis.command("DEL", "it:maybe-products:{" + marker + "}");
      int queries = db.queries();
      assertThat(service.findOptional(marker)).get().extracting(Product::name).isEqualTo("before");
      assertThat(db.queries()).as("instance %d holds the marker in L1", i).isEqualTo(queries);
    }
    db.put(marker, "after");
    instances.context(0).getBean(CoalescingCacheManager.class).getCache("maybe-products").evict(marker);
    for (int i = 1; i < instances.size(); i++) {
      ProductService service = instances.service(i);
      Await.until(() -> service.findOptional(marker).map(Product::name).orElse("").equals("after"),
          Duration.ofSeconds(30));
    }
  }

  private static void inject(Fault fault) {
    switch (fault) {
      case NONE -> { }
      case FLUSHALL -> redis.flushAll();
      case OUT_OF_MEMORY -> {
        long used = Long.parseLong(info("used_memory"));
        redis.command("CONFIG", "SET", "maxmemory", Long.toString(used / 2)); // every write refused: OOM
      }
      case KILL_AND_RESTART -> redis.kill();
      case CLIENT_PAUSE -> redis.pause(Duration.ofMillis(1_000));
    }
  }

  private static void heal(Fault fault) {
    switch (fault) {
      case FLUSHALL -> redis.flushAll(); // and once more, mid-recovery
      case OUT_OF_MEMORY -> redis.command("CONFIG", "SET", "maxmemory", "0");
      case KILL_AND_RESTART -> redis.restart();
      default -> { }
    }
  }

  private static long subscribers() {
    Object reply = redis.command("PUBSUB", "NUMSUB", "it:coalesce:events");
    return ((Number) ((List<?>) reply).get(1)).longValue();
  }

  static String info(String field) {
    for (String line : redis.text("INFO", "memory").split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    throw new IllegalStateException("INFO memory has no " + field);
  }
}
