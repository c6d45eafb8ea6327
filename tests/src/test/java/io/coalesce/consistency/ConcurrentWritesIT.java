package io.coalesce.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.annotation.Coalesced;
import io.coalesce.annotation.CoalescedEvict;
import io.coalesce.annotation.CoalescedPut;
import io.coalesce.core.CoalescingCache;
import io.coalesce.it.Boot;
import io.coalesce.test.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Concurrent writes of one key ({@code @CoalescedPut} with {@code @CoalescedPut}, on one instance or
 * several, and {@code @CoalescedPut} with {@code @CoalescedEvict}) leave every instance serving what
 * Redis holds, and what the database holds: "L1 is never older than Redis once writes stop"
 * (DESIGN.md, Failure semantics). Each round races the writers of a key of its own, released together
 * by a latch; after the last round and a quiet second, every key is read.
 *
 * <p>What Redis holds is read through the engine of an observer instance whose L1 is off for the
 * cache, with a loader that fails: it can only answer what Redis holds.
 */
class ConcurrentWritesIT {

  static final int ROUNDS = 100;
  static final long QUIET_MILLIS = 1_000;

  /** A row of the database: its id and the version its last write gave it. */
  public record Item(String id, long version) {}

  /** The database every instance shares: a version per id, bumped by every write. */
  public static final class ItemDb {
    private final Map<String, Long> versions = new ConcurrentHashMap<>();
    final AtomicInteger queries = new AtomicInteger();

    Item bump(String id) {
      return new Item(id, versions.merge(id, 1L, Long::sum));
    }

    Item find(String id) {
      queries.incrementAndGet();
      Long version = versions.get(id);
      return version == null ? null : new Item(id, version);
    }

    long version(String id) {
      return versions.getOrDefault(id, 0L);
    }
  }

  /** The cached repository of one instance. */
  public static class ItemService {
    private final ItemDb db;

    public ItemService(ItemDb db) {
      this.db = db;
    }

    @Coalesced(cache = "items", key = "#id")
    public Item find(String id) {
      return db.find(id);
    }

    /** Writes the row (a new version), then the cache stores the row it returns. */
    @CoalescedPut(cache = "items", key = "#id")
    public Item update(String id) {
      return db.bump(id);
    }

    /** Writes the row (a new version), then the cache evicts the key. */
    @CoalescedEvict(cache = "items", key = "#id")
    public void touch(String id) {
      db.bump(id);
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration(excludeName = {Boot.DATA_SOURCE_4, Boot.DATA_SOURCE_3, Boot.HIBERNATE_4, Boot.HIBERNATE_3})
  static class App {
    @Bean
    ItemService itemService(ItemDb db) {
      return new ItemService(db);
    }
  }

  static RedisServer redis;
  final ExecutorService writers = Executors.newCachedThreadPool();
  ItemDb db;
  Contexts contexts;

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
    db = new ItemDb();
    contexts = new Contexts(redis).share("itemDb", db);
  }

  @AfterEach
  void stop() {
    writers.shutdownNow();
    contexts.close();
  }

  private ItemService instance() {
    return contexts.start(App.class).getBean(ItemService.class);
  }

  /** An instance that reads Redis only: no L1 for the cache, and a loader that never answers. */
  private CoalescingCache observer() {
    ConfigurableApplicationContext context = contexts.start(App.class, "coalesce.caches.items.local.enabled=false");
    return Contexts.caches(context).getCache("items");
  }

  private static String inRedis(CoalescingCache observer, String id) {
    try {
      Item item = observer.get(id, Item.class, () -> {
        throw new IllegalStateException("nothing in Redis");
      });
      return item == null ? "null" : "v" + item.version();
    } catch (IllegalStateException e) {
      return "nothing";
    }
  }

  private static String served(ItemService instance, String id) {
    Item item = instance.find(id);
    return item == null ? "null" : "v" + item.version();
  }

  /** Runs {@code calls} together: each waits until all are ready, then a latch releases them at once. */
  private void together(List<Callable<?>> calls) throws Exception {
    CountDownLatch ready = new CountDownLatch(calls.size());
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> running = new ArrayList<>();
    for (Callable<?> call : calls) {
      running.add(writers.submit(() -> {
        ready.countDown();
        go.await();
        return call.call();
      }));
    }
    ready.await(10, TimeUnit.SECONDS);
    go.countDown();
    for (Future<?> f : running) {
      f.get(20, TimeUnit.SECONDS);
    }
  }

  /**
   * Defect (issue 25, 1a): two {@code @CoalescedPut}s of one key on one instance, released together,
   * can leave that instance's L1 with the older value while Redis holds the newer one (each put
   * writes Redis, then L1, with nothing ordering the two L1 stores): the instance serves a value
   * older than Redis until {@code local.ttl}. Measured on main by the evaluator: 61–81 of 150 rounds.
   */
  @Test
  void concurrentPutsOfOneKeyOnOneInstanceLeaveItServingWhatRedisHolds() throws Exception {
    ItemService a = instance();
    CoalescingCache observer = observer();
    for (int round = 0; round < ROUNDS; round++) {
      String id = "one-" + round;
      together(List.of(() -> a.update(id), () -> a.update(id)));
    }
    Thread.sleep(QUIET_MILLIS);

    List<String> disagreements = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      String id = "one-" + round;
      String servedByA = served(a, id);
      String redisHolds = inRedis(observer, id);
      if (!servedByA.equals(redisHolds)) {
        disagreements.add(id + ": A serves " + servedByA + ", Redis holds " + redisHolds);
      }
    }
    System.out.printf("[ConcurrentWritesIT] 2 puts on one instance: %d of %d rounds disagree%n",
        disagreements.size(), ROUNDS);
    assertThat(disagreements).as("rounds (of %d) where the instance serves other than Redis holds", ROUNDS)
        .isEmpty();
  }

  /**
   * Defect (issue 25, 1b): two {@code @CoalescedPut}s of one key on each of two instances, released
   * together, can leave an instance's L1 disagreeing with Redis once the writes stopped: an L1 store
   * is not ordered against the other puts' Redis writes (here or on the other instance) nor against
   * the invalidations they send.
   */
  @Test
  void concurrentPutsOfOneKeyOnTwoInstancesLeaveEveryInstanceServingWhatRedisHolds() throws Exception {
    ItemService a = instance();
    ItemService b = instance();
    CoalescingCache observer = observer();
    for (int round = 0; round < ROUNDS; round++) {
      String id = "two-" + round;
      together(List.of(() -> a.update(id), () -> a.update(id), () -> b.update(id), () -> b.update(id)));
    }
    Thread.sleep(QUIET_MILLIS);

    List<String> disagreements = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      String id = "two-" + round;
      String redisHolds = inRedis(observer, id);
      String servedByA = served(a, id);
      String servedByB = served(b, id);
      if (!servedByA.equals(redisHolds) || !servedByB.equals(redisHolds)) {
        disagreements.add(id + ": A serves " + servedByA + ", B serves " + servedByB + ", Redis holds " + redisHolds);
      }
    }
    System.out.printf("[ConcurrentWritesIT] 2 puts on each of two instances: %d of %d rounds disagree%n",
        disagreements.size(), ROUNDS);
    assertThat(disagreements).as("rounds (of %d) where an instance serves other than Redis holds", ROUNDS)
        .isEmpty();
  }

  /**
   * Defect (issue 25, 1c): a {@code @CoalescedPut} racing a {@code @CoalescedEvict} of one key on one
   * instance (each writes the database, then the cache) left the instance's L1 disagreeing with Redis
   * after the writes stopped: the put's L1 store was not ordered against the evict. Measured on main:
   * 17–22 of 100 rounds. What Redis itself ends with is the cache-aside race (the put's Redis write
   * may land after the evict's, carrying the row from before the evict's database write): the next
   * test covers it.
   */
  @Test
  void aPutRacingAnEvictOfOneKeyLeavesTheInstanceServingWhatRedisHolds() throws Exception {
    ItemService a = instance();
    CoalescingCache redisOnly = observer();
    raceAPutAndAnEvict(a);
    Thread.sleep(QUIET_MILLIS);

    List<String> disagreements = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      String id = "put-evict-" + round;
      String servedByA = served(a, id);
      String redisHolds = inRedis(redisOnly, id);
      // after an evict Redis holds nothing: A then loads the database's row, which must be the latest
      String expected = redisHolds.equals("nothing") ? "v" + db.version(id) : redisHolds;
      if (!servedByA.equals(expected)) {
        disagreements.add(id + ": A serves " + servedByA + ", Redis holds " + redisHolds + ", the database v"
            + db.version(id));
      }
    }
    System.out.printf("[ConcurrentWritesIT] put racing evict on one instance: %d of %d rounds disagree%n",
        disagreements.size(), ROUNDS);
    assertThat(disagreements).as("rounds (of %d) where the instance serves other than Redis holds", ROUNDS).isEmpty();
  }

  /**
   * The same race with {@code evict-delay}: the delayed second delete removes an older row a put wrote
   * after the evict, so once the writes stop (and the delay has passed) the instance serves what the
   * database holds.
   */
  @Test
  void withEvictDelayAPutRacingAnEvictLeavesTheInstanceServingWhatTheDatabaseHolds() throws Exception {
    ItemService a = contexts.start(App.class, "coalesce.caches.items.evict-delay=300ms").getBean(ItemService.class);
    raceAPutAndAnEvict(a);
    Thread.sleep(QUIET_MILLIS);

    List<String> disagreements = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      String id = "put-evict-" + round;
      String servedByA = served(a, id);
      String inDb = "v" + db.version(id);
      if (!servedByA.equals(inDb)) {
        disagreements.add(id + ": A serves " + servedByA + ", the database holds " + inDb);
      }
    }
    System.out.printf("[ConcurrentWritesIT] put racing evict with evict-delay: %d of %d rounds disagree%n",
        disagreements.size(), ROUNDS);
    assertThat(disagreements).as("rounds (of %d) where the instance serves other than the database holds", ROUNDS)
        .isEmpty();
  }

  private void raceAPutAndAnEvict(ItemService a) throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      String id = "put-evict-" + round;
      together(List.of(() -> a.update(id), () -> {
        a.touch(id);
        return null;
      }));
    }
  }

}
