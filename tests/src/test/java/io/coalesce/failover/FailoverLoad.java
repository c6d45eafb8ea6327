package io.coalesce.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.cluster.Burst;
import io.coalesce.cluster.Instances;
import io.coalesce.cluster.ProductDb;
import io.coalesce.cluster.ProductDb.Product;
import io.coalesce.cluster.ProductService;
import io.coalesce.test.RedisServer;
import java.util.concurrent.Callable;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The load of the failover tests, on one stack (Coalesce's instances, or Spring's): 8 readers per
 * instance over {@link #IDS} ids and one writer per instance (a database write, then an evict on the
 * first instance, a put on the second), with what they saw: reads, writes, caller errors, the worst
 * call, and stale reads (a version older than a write that returned a second before the read began).
 */
final class FailoverLoad {

  static final int IDS = 200;
  static final int READERS_PER_INSTANCE = 8;
  static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** What the load calls on one instance: a read, a write then evict, a write then put. */
  interface Catalog {
    Product find(long id);

    void evictWrite(long id, String name);

    void putWrite(long id, String name);
  }

  static long millis(long nanos) {
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

  /** Coalesce's instances as the load sees them: {@code find}, {@code rename} (evict), {@code save} (put). */
  static List<Catalog> catalogs(Instances instances) {
    List<Catalog> catalogs = new ArrayList<>();
    for (int i = 0; i < instances.size(); i++) {
      ProductService service = instances.service(i);
      catalogs.add(new Catalog() {
        public Product find(long id) { return service.find(id); }
        public void evictWrite(long id, String name) { service.rename(id, name); }
        public void putWrite(long id, String name) { service.save(id, name); }
      });
    }
    return catalogs;
  }

  /** The same application's instances on Spring's {@code RedisCacheManager}. */
  static List<Catalog> catalogs(SpringCacheInstances instances) {
    List<Catalog> catalogs = new ArrayList<>();
    for (int i = 0; i < instances.size(); i++) {
      SpringCacheInstances.SpringProducts products = instances.products(i);
      catalogs.add(new Catalog() {
        public Product find(long id) { return products.find(id); }
        public void evictWrite(long id, String name) { products.rename(id, name); }
        public void putWrite(long id, String name) { products.save(id, name); }
      });
    }
    return catalogs;
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

    /**
     * Prints the stack's row, each line starting with {@code label}; returns its stale reads starting
     * more than 1 s after the promotion.
     */
    long report(String label) {
      System.out.printf("%s: %d reads, %d writes, %d caller errors; stale reads %d (%d starting more than 1 s "
              + "after the promotion); worst call %d ms%n", label, reads.get(), writeCount.get(), errors.size(),
          staleReads.get(), lateStaleReads.get(), millis(worstNanos.get()));
      lateSamples.forEach(s -> System.out.printf("%s   stale: %s: id %d read v%d, v%d returned %d ms before; read "
              + "started %d ms after the promotion%n", label, s.reader, s.id, s.got, s.required,
          millis(s.startedAt - s.requiredAt), millis(s.startedAt - promotedAt)));
      errors.stream().limit(1).forEach(e -> System.out.printf("%s   error: %s%n", label, e));
      return lateStaleReads.get();
    }
  }

  /**
   * For each instance, how long after the promotion a load of a cold id (a new one each time, among
   * those {@code probed} accepts) is written to the node that holds it ({@code nodeOf}).
   */
  static long[] backOnRedis(Instances instances, LongFunction<RedisServer> nodeOf, LongPredicate probed,
      long promotedAt) {
    long[] back = {-1, -1};
    long probeId = 10_000;
    long deadline = promotedAt + TimeUnit.SECONDS.toNanos(30);
    while ((back[0] < 0 || back[1] < 0) && System.nanoTime() < deadline) {
      for (int i = 0; i < 2; i++) {
        if (back[i] >= 0) {
          continue;
        }
        long id = probeId++;
        while (!probed.test(id)) {
          id = probeId++;
        }
        instances.service(i).find(id);
        if (!nodeOf.apply(id).text("KEYS", "it:products:{" + id + "}").isEmpty()) {
          back[i] = System.nanoTime() - promotedAt;
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    assertThat(back).as("both instances wrote to the new master").doesNotContain(-1L);
    return back;
  }

  /** Invalidation between the instances and cluster-wide single flight, on the new master. */
  static void afterTheFailover(Instances instances, ProductDb db, long renamed, long cold) throws Exception {
    ProductService a = instances.service(0);
    ProductService b = instances.service(1);
    assertThat(b.find(renamed).name()).isNotNull();
    a.rename(renamed, "renamed-after-failover");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    while (!b.find(renamed).name().equals("renamed-after-failover") && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(b.find(renamed).name()).as("an evict on one instance reaches the other")
        .isEqualTo("renamed-after-failover");

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
  }}
