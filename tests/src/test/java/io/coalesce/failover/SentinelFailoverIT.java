package io.coalesce.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.cluster.Burst;
import io.coalesce.cluster.Instances;
import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductDb.Product;
import io.coalesce.cluster.ProductService;
import io.coalesce.test.RedisSentinel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Two instances on a Sentinel-managed Redis (master, replica, three sentinels), eight readers each
 * over 200 ids and one writer each (a database write, then {@code @CoalescedEvict} or
 * {@code @CoalescedPut}), through a failover: the master SIGKILLed, or a manual
 * {@code SENTINEL FAILOVER} while the old master keeps running and accepting writes. Asserted: no
 * caller sees an error; no read that starts a second after a write returned, and a second after the
 * new master was promoted, answers a version older than that write; the worst call stays under a
 * second; both instances use the new master within a second of the promotion; and afterwards an
 * evict on one instance reaches the other and a cold key is loaded once for both. Two instances of
 * the same application on Spring's {@code RedisCacheManager} run the same load beside them, on the
 * same topology and through the same failover, for the printed comparison (nothing is asserted of
 * them).
 */
class SentinelFailoverIT {

  static final int IDS = 200;
  static final int READERS_PER_INSTANCE = 8;
  static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  @Test
  void masterKilled() throws Exception {
    run("master killed", RedisSentinel::killMaster);
  }

  @Test
  void manualFailover() throws Exception {
    run("manual failover", RedisSentinel::failover);
  }

  /** What the load calls on one instance: a read, a write then evict, a write then put. */
  interface Catalog {
    Product find(long id);

    void evictWrite(long id, String name);

    void putWrite(long id, String name);
  }

  private void run(String scenario, java.util.function.Consumer<RedisSentinel> failure) throws Exception {
    try (RedisSentinel redis = RedisSentinel.start(1_000)) {
      ProductDb db = new ProductDb();
      ProductDb springDb = new ProductDb();
      for (long id = 0; id < IDS; id++) {
        db.put(id, "v0");
        springDb.put(id, "v0");
      }
      String[] sentinel = {"spring.data.redis.sentinel.master=" + RedisSentinel.MASTER_NAME,
          "spring.data.redis.sentinel.nodes=" + redis.sentinelNodes()};
      try (Instances instances = Instances.start(2, db, sentinel);
          SpringCacheInstances spring = SpringCacheInstances.start(2, springDb, sentinel[0], sentinel[1],
              // what a Spring user would set so that a dead Redis does not hold callers for Lettuce's 60 s
              "spring.data.redis.timeout=500ms")) {
        List<Catalog> coalesce = new ArrayList<>();
        List<Catalog> springCache = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          ProductService service = instances.service(i);
          coalesce.add(new Catalog() {
            public Product find(long id) { return service.find(id); }
            public void evictWrite(long id, String name) { service.rename(id, name); }
            public void putWrite(long id, String name) { service.save(id, name); }
          });
          SpringCacheInstances.SpringProducts products = spring.products(i);
          springCache.add(new Catalog() {
            public Product find(long id) { return products.find(id); }
            public void evictWrite(long id, String name) { products.rename(id, name); }
            public void putWrite(long id, String name) { products.save(id, name); }
          });
        }
        Load load = new Load(coalesce);
        Load springLoad = new Load(springCache);
        load.start();
        springLoad.start();
        Thread.sleep(3_000);
        int oldMaster = redis.masterPort();
        long failedAt = System.nanoTime();
        failure.accept(redis);
        long promotedAt = redis.awaitNewMaster(oldMaster, 30_000);
        load.promoted(promotedAt);
        springLoad.promoted(promotedAt);
        long[] backOnRedis = backOnRedis(instances, redis, promotedAt);
        Thread.sleep(6_000);
        load.stop();
        springLoad.stop();

        System.out.printf("[SentinelFailoverIT] %s: promotion %d ms after the failure%n", scenario,
            millis(promotedAt - failedAt));
        long staleAfterPromotion = load.report("Coalesce");
        springLoad.report("Spring RedisCacheManager");
        System.out.printf("[SentinelFailoverIT]   Coalesce back on Redis %d ms and %d ms after the promotion%n",
            millis(backOnRedis[0]), millis(backOnRedis[1]));

        assertThat(load.errors).as("caller errors").isEmpty();
        assertThat(staleAfterPromotion).as("stale reads starting more than 1 s after the promotion").isZero();
        assertThat(millis(load.worstNanos.get())).as("worst call, ms").isLessThanOrEqualTo(1_000);
        assertThat(millis(Math.max(backOnRedis[0], backOnRedis[1]))).as("new master used, ms after promotion")
            .isLessThanOrEqualTo(1_000);
        afterTheFailover(instances, db);
      }
    }
  }

  /**
   * For each instance, how long after the promotion a load of a cold id (a new one each time) is
   * written to the new master.
   */
  private static long[] backOnRedis(Instances instances, RedisSentinel redis, long promotedAt) {
    long[] back = {-1, -1};
    long probeId = 10_000;
    long deadline = promotedAt + TimeUnit.SECONDS.toNanos(30);
    while ((back[0] < 0 || back[1] < 0) && System.nanoTime() < deadline) {
      for (int i = 0; i < 2; i++) {
        if (back[i] >= 0) {
          continue;
        }
        long id = probeId++;
        instances.service(i).find(id);
        if (!redis.master().text("KEYS", "it:products:{" + id + "}").isEmpty()) {
          back[i] = System.nanoTime() - promotedAt;
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    assertThat(back).as("both instances wrote to the new master").doesNotContain(-1L);
    return back;
  }

  /** Invalidation between the instances and cluster-wide single flight, on the new master. */
  private static void afterTheFailover(Instances instances, ProductDb db) throws Exception {
    ProductService a = instances.service(0);
    ProductService b = instances.service(1);
    assertThat(b.find(7).name()).isNotNull();
    a.rename(7, "renamed-after-failover");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (!b.find(7).name().equals("renamed-after-failover") && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(b.find(7).name()).as("an evict on one instance reaches the other").isEqualTo("renamed-after-failover");

    long cold = 50_000;
    db.put(cold, "cold");
    db.latency(100);
    int before = db.queries();
    List<Callable<?>> calls = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ProductService service = instances.service(i % 2);
      calls.add(() -> service.find(cold));
    }
    List<Object> results = Burst.run(calls);
    db.latency(0);
    assertThat(results).allSatisfy(r -> assertThat(r).isEqualTo(new Product(cold, "cold")));
    assertThat(db.queries() - before).as("loads of a cold id by 2 instances x 20 callers").isEqualTo(1);
  }

  private static long millis(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  record StaleRead(long id, long got, long required, long requiredAt, long startedAt, String reader) {}

  /**
   * The writes of every id, in order (the writes of one id are serialized, so their versions are
   * consecutive and their return times ascending): for a read starting at {@code t}, the version it
   * must at least see is the last one returned before {@code t - 1 s}.
   */
  static final class Writes {

    private static final int KEPT = 16;
    private final long[][] versions;
    private final long[][] returnedAt;
    private final long[] latest;

    Writes(int ids) {
      versions = new long[ids][KEPT];
      returnedAt = new long[ids][KEPT];
      latest = new long[ids];
    }

    synchronized long next(int id) {
      return latest[id] + 1;
    }

    synchronized void returned(int id, long version, long at) {
      latest[id] = version;
      int slot = (int) (version % KEPT);
      versions[id][slot] = version;
      returnedAt[id][slot] = at;
    }

    /** {version, returnedAt} of the last write of {@code id} returned by {@code before}, or {0, 0}. */
    synchronized long[] settled(int id, long before) {
      for (long v = latest[id]; v > 0 && v > latest[id] - KEPT; v--) {
        int slot = (int) (v % KEPT);
        if (returnedAt[id][slot] <= before) {
          return new long[] {v, returnedAt[id][slot]};
        }
      }
      long oldestKept = Math.max(0, latest[id] - KEPT + 1);
      return oldestKept == 0 ? new long[] {0, 0} : new long[] {oldestKept - 1, before};
    }
  }

  /** The readers and writers of one stack, with what they saw. */
  static final class Load {

    private final List<Catalog> instances;
    private final Writes writes = new Writes(IDS);
    private final List<Thread> threads = new ArrayList<>();
    private final Object[] idLocks = new Object[IDS];
    private volatile boolean running = true;
    final AtomicLong reads = new AtomicLong();
    final AtomicLong writeCount = new AtomicLong();
    final AtomicLong worstNanos = new AtomicLong();
    final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
    final AtomicLong staleReads = new AtomicLong();
    final AtomicLong lateStaleReads = new AtomicLong();
    final ConcurrentLinkedQueue<StaleRead> lateSamples = new ConcurrentLinkedQueue<>();
    /** Set once the sentinels switched: a read starting a second after it must not be stale. */
    private volatile boolean promoted;
    private volatile long promotedAt;

    Load(List<Catalog> instances) {
      this.instances = instances;
      for (int i = 0; i < IDS; i++) {
        idLocks[i] = new Object();
      }
    }

    void start() {
      for (int i = 0; i < instances.size(); i++) {
        Catalog catalog = instances.get(i);
        for (int r = 0; r < READERS_PER_INSTANCE; r++) {
          threads.add(started("reader-" + i + "-" + r, () -> read(catalog)));
        }
        boolean puts = i == 1;
        threads.add(started("writer-" + i, () -> write(catalog, puts)));
      }
    }

    private static Thread started(String name, Runnable body) {
      Thread thread = new Thread(body, name);
      thread.start();
      return thread;
    }

    private void read(Catalog catalog) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (running) {
        int id = random.nextInt(IDS);
        long start = System.nanoTime();
        long[] required = writes.settled(id, start - SETTLE_NANOS);
        try {
          Product product = catalog.find(id);
          long took = System.nanoTime() - start;
          worstNanos.accumulateAndGet(took, Math::max);
          reads.incrementAndGet();
          long got = Long.parseLong(product.name().substring(1));
          if (got < required[0]) {
            staleReads.incrementAndGet();
            if (promoted && start - promotedAt > SETTLE_NANOS && lateStaleReads.incrementAndGet() <= 3) {
              lateSamples.add(new StaleRead(id, got, required[0], required[1], start, Thread.currentThread().getName()));
            }
          }
        } catch (Throwable e) {
          worstNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
          errors.add(e);
        }
        LockSupport.parkNanos(200_000);
      }
    }

    private void write(Catalog catalog, boolean puts) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      while (running) {
        int id = random.nextInt(IDS);
        synchronized (idLocks[id]) {
          long version = writes.next(id);
          long start = System.nanoTime();
          try {
            if (puts) {
              catalog.putWrite(id, "v" + version);
            } else {
              catalog.evictWrite(id, "v" + version);
            }
            long end = System.nanoTime();
            worstNanos.accumulateAndGet(end - start, Math::max);
            writes.returned(id, version, end);
            writeCount.incrementAndGet();
          } catch (Throwable e) {
            worstNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
            errors.add(e);
          }
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }

    void promoted(long at) {
      promotedAt = at;
      promoted = true;
    }

    void stop() throws InterruptedException {
      running = false;
      for (Thread thread : threads) {
        thread.join(10_000);
      }
    }

    /** Prints the stack's row; returns its stale reads starting more than 1 s after the promotion. */
    long report(String stack) {
      System.out.printf("[SentinelFailoverIT]   %s: %d reads, %d writes, %d caller errors; stale reads %d "
              + "(%d starting more than 1 s after the promotion); worst call %d ms%n",
          stack, reads.get(), writeCount.get(), errors.size(), staleReads.get(), lateStaleReads.get(),
          millis(worstNanos.get()));
      lateSamples.forEach(s -> System.out.printf("[SentinelFailoverIT]     stale: %s: id %d read v%d, "
              + "v%d returned %d ms before; read started %d ms after the promotion%n", s.reader, s.id, s.got,
          s.required, millis(s.startedAt - s.requiredAt), millis(s.startedAt - promotedAt)));
      errors.stream().limit(1).forEach(e -> System.out.printf("[SentinelFailoverIT]     error: %s%n", e));
      return lateStaleReads.get();
    }
  }
}
