package io.coalesce.bench;

import io.coalesce.bloom.BloomFilters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The load scenarios, each run on Coalesce and side by side on Spring's {@code @Cacheable(sync =
 * true)}, against a private redis-server, printing one table. Run (after building the jar):
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.coalesce.bench.Scenarios [stampede] [cluster]
 * [sustained] [penetration] [outage]</pre>
 *
 * <p>With no argument every scenario runs (about two minutes). The loader stands for a database:
 * {@link Backend} counts the calls that reach it, across all instances.
 */
public final class Scenarios {

  private static final long LOADER_MILLIS = 50;

  private final LocalRedis redis;
  private final Backend backend = new Backend(LOADER_MILLIS);
  private final Table table = new Table();

  private Scenarios(LocalRedis redis) {
    this.redis = redis;
  }

  public static void main(String[] args) throws Exception {
    Set<String> chosen = args.length == 0
        ? Set.of("stampede", "cluster", "sustained", "penetration", "outage")
        : Set.of(args);
    System.out.println("Coalesce scenarios: " + Runtime.getRuntime().availableProcessors() + " CPUs, "
        + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", load: "
        + loadAverage());
    try (LocalRedis redis = LocalRedis.start()) {
      Scenarios scenarios = new Scenarios(redis);
      if (chosen.contains("stampede")) {
        scenarios.coldStampede();
      }
      if (chosen.contains("cluster")) {
        scenarios.clusterStampede();
      }
      if (chosen.contains("sustained")) {
        scenarios.sustainedLoad();
      }
      if (chosen.contains("penetration")) {
        scenarios.penetration();
      }
      if (chosen.contains("outage")) {
        scenarios.outage();
      }
      System.out.println();
      System.out.println("load after the run: " + loadAverage());
      System.out.println();
      scenarios.table.print(System.out);
    }
    System.exit(0); // Lettuce and Spring leave non-daemon threads behind contexts closed in a hurry
  }

  // ---------------------------------------------------------------------------------------------
  // 1. Cold stampede, one instance: 200 callers, one key, loader 50 ms.

  private void coldStampede() throws Exception {
    System.out.println("cold stampede: 200 callers, one key, loader " + LOADER_MILLIS + " ms");
    try (ConfigurableApplicationContext context = BenchApp.start(redis, backend, "stampede")) {
      CoalescedCatalog coalesced = context.getBean(CoalescedCatalog.class);
      SpringCatalog spring = context.getBean(SpringCatalog.class);
      warmUp(coalesced::product, spring::product, spring::productRemote, spring::productRemoteLocking);
      stampede("cold stampede", "Coalesce (L1 + Redis)", 200, "cold-1", (i, k) -> coalesced.product(k));
      stampede("cold stampede", "Spring @Cacheable(sync) Caffeine", 200, "cold-1", (i, k) -> spring.product(k));
      stampede("cold stampede", "Spring @Cacheable(sync) Redis", 200, "cold-1", (i, k) -> spring.productRemote(k));
      stampede("cold stampede", "Spring @Cacheable(sync) Redis, locking writer", 200,
          "cold-1", (i, k) -> spring.productRemoteLocking(k));
    }
  }

  /**
   * One unmeasured stampede on a throw-away key first (threads started, every path of the stack
   * compiled), then the measured one on {@code key}.
   */
  private void stampede(String scenario, String stack, int threads, String key,
      java.util.function.BiFunction<Integer, String, Object> call) throws InterruptedException {
    backend.reset(LOADER_MILLIS);
    Burst.run(threads, i -> call.apply(i, key + "-warm-up"));
    backend.reset(LOADER_MILLIS);
    Burst.Outcome outcome = Burst.run(threads, i -> call.apply(i, key));
    Latencies l = outcome.latencies();
    table.add(new Table.Row(scenario, stack, l.count(), backend.calls(), outcome.errors(),
        l.percentileMillis(50), l.percentileMillis(99), l.maxMillis(), Double.NaN, ""));
  }

  // ---------------------------------------------------------------------------------------------
  // 2. Cold stampede over 4 instances sharing one Redis: 50 callers on each.

  private void clusterStampede() throws Exception {
    System.out.println("cold stampede over 4 instances: 4 x 50 callers, one key, loader " + LOADER_MILLIS + " ms");
    List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        contexts.add(BenchApp.start(redis, backend, "instance-" + i));
      }
      List<CoalescedCatalog> coalesced = contexts.stream().map(c -> c.getBean(CoalescedCatalog.class)).toList();
      List<SpringCatalog> spring = contexts.stream().map(c -> c.getBean(SpringCatalog.class)).toList();
      for (int i = 0; i < 4; i++) {
        warmUp(coalesced.get(i)::product, spring.get(i)::product, spring.get(i)::productRemote,
            spring.get(i)::productRemoteLocking);
      }
      String scenario = "cold stampede, 4 instances";
      stampede(scenario, "Coalesce (L1 + Redis)", 200, "cluster-1", (i, k) -> coalesced.get(i % 4).product(k));
      stampede(scenario, "Spring @Cacheable(sync) Redis", 200, "cluster-1", (i, k) -> spring.get(i % 4).productRemote(k));
      stampede(scenario, "Spring @Cacheable(sync) Redis, locking writer", 200,
          "cluster-1", (i, k) -> spring.get(i % 4).productRemoteLocking(k));
      stampede(scenario, "Spring @Cacheable(sync) Caffeine", 200, "cluster-1", (i, k) -> spring.get(i % 4).product(k));
    } finally {
      contexts.forEach(ConfigurableApplicationContext::close);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 3. Sustained load over one key with a 1 s ttl, for 10 s (issue 14, item 1).

  private static final int LOAD_THREADS = 32;
  private static final long PERIOD_NANOS = TimeUnit.MICROSECONDS.toNanos(1000);
  /** A call this slow waited for a load (a hit takes well under a millisecond). */
  private static final double WAITED_MILLIS = 10;

  private void sustainedLoad() throws Exception {
    System.out.println("sustained load: " + LOAD_THREADS + " callers x 1 call/ms, one key, ttl 1 s, 10 s");
    String scenario = "sustained, " + LOAD_THREADS + " callers x 1 call/ms, ttl 1 s, 10 s";
    double steadyP99 = steadyStateP99();
    sustained(scenario, "Coalesce, defaults", 1, "products", steadyP99, "coalesce.caches.products.ttl=1s");
    sustained(scenario, "Coalesce, defaults, 4 instances on one Redis", 4, "products", steadyP99,
        "coalesce.caches.products.ttl=1s");
    sustained(scenario, "Coalesce, stale-ttl 1s", 1, "products", steadyP99,
        "coalesce.caches.products.ttl=1s", "coalesce.caches.products.stale-ttl=1s");
    sustained(scenario, "Spring @Cacheable(sync) Caffeine", 1, "caffeine", steadyP99, "bench.spring.ttl=1s");
    sustained(scenario, "Caffeine refreshAfterWrite(1s)", 1, "refreshAfterWrite", steadyP99);
    sustained(scenario, "Spring @Cacheable(sync) Redis", 1, "redis", steadyP99, "bench.spring.ttl=1s");
  }

  /** The same load on a key that never expires: the machine's own tail, for the ratios. */
  private double steadyStateP99() throws Exception {
    try (ConfigurableApplicationContext context = BenchApp.start(redis, backend, "steady")) {
      LongFunction<Object> hot = call(context, "products", "steady");
      backend.reset(LOADER_MILLIS);
      hot.apply(0);
      PacedLoad.run(LOAD_THREADS, PERIOD_NANOS, TimeUnit.SECONDS.toNanos(2), hot); // JIT warm-up
      PacedLoad.Outcome run = PacedLoad.run(LOAD_THREADS, PERIOD_NANOS, TimeUnit.SECONDS.toNanos(5), hot);
      Latencies l = run.latencies();
      table.add(new Table.Row("sustained, steady state (no expiry)", "Coalesce L1 hits", run.calls(), 0,
          run.errors(), l.percentileMillis(50), l.percentileMillis(99), l.maxMillis(), run.throughput(),
          String.format(java.util.Locale.ROOT, "calls >= %.0f ms: %d in 5 s (the machine's own stalls)",
              WAITED_MILLIS, l.countAtLeastMillis(WAITED_MILLIS))));
      return l.percentileMillis(99);
    }
  }

  private void sustained(String scenario, String stack, int instances, String which, double steadyP99,
      String... properties) throws Exception {
    List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    try {
      for (int i = 0; i < instances; i++) {
        contexts.add(BenchApp.start(redis, backend, "sustained-" + i, properties));
      }
      List<LongFunction<Object>> calls = new ArrayList<>();
      for (ConfigurableApplicationContext context : contexts) {
        calls.add(which.equals("refreshAfterWrite") ? refreshAfterWrite(Duration.ofSeconds(1))
            : call(context, which, "sustained"));
      }
      LongFunction<Object> expiring = n -> calls.get((int) (n % instances)).apply(n);
      expiring.apply(0); // the first load, not counted: the windows follow it
      // JIT warm-up over two expiries, so that the refresh and reload paths are compiled before
      // the measured run, as the hit path is before the steady-state one.
      PacedLoad.run(LOAD_THREADS, PERIOD_NANOS, TimeUnit.MILLISECONDS.toNanos(2500), expiring);
      backend.reset(LOADER_MILLIS);
      PacedLoad.Outcome run = PacedLoad.run(LOAD_THREADS, PERIOD_NANOS, TimeUnit.SECONDS.toNanos(10), expiring);
      Latencies l = run.latencies();
      table.add(new Table.Row(scenario, stack, run.calls(), backend.calls(), run.errors(),
          l.percentileMillis(50), l.percentileMillis(99), l.maxMillis(), run.throughput(),
          String.format(java.util.Locale.ROOT, "calls >= %.0f ms: %d; p99 %.1fx the steady-state hit p99",
              WAITED_MILLIS, l.countAtLeastMillis(WAITED_MILLIS), l.percentileMillis(99) / steadyP99)));
    } finally {
      contexts.forEach(ConfigurableApplicationContext::close);
    }
  }

  /** Caffeine's own refresh-ahead: the first read after {@code refresh} reloads in the background. */
  private LongFunction<Object> refreshAfterWrite(Duration refresh) {
    com.github.benmanes.caffeine.cache.LoadingCache<String, Product> cache =
        com.github.benmanes.caffeine.cache.Caffeine.newBuilder().refreshAfterWrite(refresh).build(backend::load);
    return n -> cache.get("sustained");
  }

  private static LongFunction<Object> call(ConfigurableApplicationContext context, String which, String key) {
    CoalescedCatalog coalesced = context.getBean(CoalescedCatalog.class);
    SpringCatalog spring = context.getBean(SpringCatalog.class);
    return switch (which) {
      case "products" -> n -> coalesced.product(key);
      case "caffeine" -> n -> spring.product(key);
      default -> n -> spring.productRemote(key);
    };
  }

  // ---------------------------------------------------------------------------------------------
  // 4. Penetration: ids that do not exist.

  private static final long PENETRATION_LOADER_MILLIS = 5;

  private void penetration() throws Exception {
    System.out.println("penetration: absent ids, loader " + PENETRATION_LOADER_MILLIS + " ms, 8 callers");
    try (ConfigurableApplicationContext context = BenchApp.start(redis, backend, "penetration")) {
      CoalescedCatalog coalesced = context.getBean(CoalescedCatalog.class);
      SpringCatalog spring = context.getBean(SpringCatalog.class);
      // 2,000 distinct absent ids, each asked for 5 times, in a shuffled order.
      List<String> repeated = new ArrayList<>();
      for (int r = 0; r < 5; r++) {
        for (int i = 0; i < 2000; i++) {
          repeated.add("absent-r" + i);
        }
      }
      Collections.shuffle(repeated, new Random(42));
      penetrate("absent ids, 2,000 x 5", "Coalesce (null-ttl 1m)", repeated, "a", coalesced::product);
      penetrate("absent ids, 2,000 x 5", "Spring @Cacheable(sync) Caffeine", repeated, "b", spring::product);
      penetrate("absent ids, 2,000 x 5", "Spring @Cacheable(sync) Redis", repeated, "c", spring::productRemote);
      // Every request a new absent id: caching "not found" cannot help; a Bloom filter can.
      List<String> distinct = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        distinct.add("absent-d" + i);
      }
      penetrate("absent ids, 2,000 distinct", "Coalesce (null-ttl 1m)", distinct, "a", coalesced::product);
      penetrate("absent ids, 2,000 distinct", "Spring @Cacheable(sync) Caffeine", distinct, "b", spring::product);
      penetrate("absent ids, 2,000 distinct", "Spring @Cacheable(sync) Redis", distinct, "c", spring::productRemote);
    }
    // The same two lists through a products cache with its Bloom filter, seeded with 100,000 SKUs
    // that exist (none of the absent ones): only false positives (about 1%) reach the backend.
    try (ConfigurableApplicationContext context = BenchApp.start(redis, backend, "penetration-bloom",
        "coalesce.caches.products.bloom.enabled=true",
        "coalesce.caches.products.bloom.expected-insertions=100000",
        "coalesce.caches.products.bloom.false-positive-rate=0.01",
        "bench.bloom.seed=100000")) {
      BloomFilters filters = context.getBean(BloomFilters.class);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!filters.status("products").ready() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      if (!filters.status("products").ready()) {
        throw new IllegalStateException("the products Bloom filter was not seeded within 30 s");
      }
      CoalescedCatalog bloomed = context.getBean(CoalescedCatalog.class);
      List<String> repeated = new ArrayList<>();
      for (int r = 0; r < 5; r++) {
        for (int i = 0; i < 2000; i++) {
          repeated.add("absent-r" + i);
        }
      }
      Collections.shuffle(repeated, new Random(42));
      List<String> distinct = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        distinct.add("absent-d" + i);
      }
      penetrate("absent ids, 2,000 x 5", "Coalesce + Bloom guard (Redis)", repeated, "e", bloomed::product);
      penetrate("absent ids, 2,000 distinct", "Coalesce + Bloom guard (Redis)", distinct, "e", bloomed::product);
    }
  }

  private void penetrate(String scenario, String stack, List<String> ids, String tag,
      java.util.function.Function<String, Object> call) throws InterruptedException {
    backend.reset(PENETRATION_LOADER_MILLIS);
    int threads = 8;
    long[][] nanos = new long[threads][ids.size()];
    int[] counts = new int[threads];
    int[] errors = new int[threads];
    List<Thread> started = new ArrayList<>();
    long start = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread worker = new Thread(() -> {
        for (int i = thread; i < ids.size(); i += threads) {
          long begin = System.nanoTime();
          try {
            // Each stack gets its own ids, so no stack profits from another's cached "not found".
            call.apply(ids.get(i) + "-" + tag);
          } catch (RuntimeException e) {
            errors[thread]++;
          }
          nanos[thread][counts[thread]++] = System.nanoTime() - begin;
        }
      });
      worker.start();
      started.add(worker);
    }
    for (Thread worker : started) {
      worker.join();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Latencies l = Latencies.merge(nanos, counts);
    int errorCount = 0;
    for (int e : errors) {
      errorCount += e;
    }
    table.add(new Table.Row(scenario, stack, l.count(), backend.calls(), errorCount,
        l.percentileMillis(50), l.percentileMillis(99), l.maxMillis(), l.count() / seconds, ""));
  }

  // ---------------------------------------------------------------------------------------------
  // 5. Redis outage mid-run: killed at 3 s, restarted (empty) at 6 s, load until 12 s.

  private void outage() throws Exception {
    System.out.println("Redis outage: " + LOAD_THREADS + " callers x 1 call/ms over 100 keys (ttl 2 s); "
        + "Redis killed at 3 s, restarted at 6 s, run ends at 12 s");
    outage("Coalesce (L1 + Redis)", true);
    outage("Spring @Cacheable(sync) Redis", false);
  }

  private void outage(String stack, boolean coalesce) throws Exception {
    if (redis.dbSize() < 0) {
      redis.restart();
    }
    try (ConfigurableApplicationContext context = BenchApp.start(redis, backend, "outage",
        "coalesce.caches.products.ttl=2s", "bench.spring.ttl=2s")) {
      CoalescedCatalog coalesced = context.getBean(CoalescedCatalog.class);
      SpringCatalog spring = context.getBean(SpringCatalog.class);
      LongFunction<Object> call = coalesce
          ? n -> coalesced.product("outage-" + (n % 100))
          : n -> spring.productRemote("outage-" + (n % 100));
      for (int i = 0; i < 100; i++) {
        call.apply(i);
      }
      backend.reset(5);
      long[] times = new long[3]; // kill, restart, shared tier written again (nanoTime)
      Thread chaos = new Thread(() -> {
        try {
          Thread.sleep(3000);
          redis.kill();
          times[0] = System.nanoTime();
          Thread.sleep(3000);
          redis.restart();
          times[1] = System.nanoTime();
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(6);
          while (System.nanoTime() < deadline) {
            if (redis.dbSize() > 0) {
              times[2] = System.nanoTime();
              return;
            }
            Thread.sleep(20);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "chaos");
      chaos.start();
      PacedLoad.Outcome run = PacedLoad.run(LOAD_THREADS, PERIOD_NANOS, TimeUnit.SECONDS.toNanos(12), call);
      chaos.join();
      Latencies l = run.latencies();
      String errorsEnd = run.errors() == 0 ? "no caller error"
          : run.lastErrorNanos() > times[1]
              ? "callers' errors ended " + Table.fmt((run.lastErrorNanos() - times[1]) / 1e6) + " ms after the restart"
              : "callers' errors ended before the restart";
      String written = times[2] == 0 ? "nothing written to Redis within 6 s of the restart"
          : "Redis written again " + Table.fmt((times[2] - times[1]) / 1e6) + " ms after the restart";
      table.add(new Table.Row("Redis outage 3 s", stack, run.calls(), backend.calls(), run.errors(),
          l.percentileMillis(50), l.percentileMillis(99), l.maxMillis(), run.throughput(),
          errorsEnd + "; " + written));
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** One call per path on a throw-away key: connections opened, classes loaded, before timing. */
  @SafeVarargs
  private static void warmUp(java.util.function.Function<String, Object>... paths) {
    for (java.util.function.Function<String, Object> path : paths) {
      path.apply("warm-up");
    }
  }

  private static String loadAverage() {
    double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return String.format(java.util.Locale.ROOT, "%.2f (1-minute load average)", load);
  }
}
