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
        ? Set.of("stampede", "cluster", "sustained", "penetration", "outage", "dataloss", "rare", "mix", "storm",
            "batch")
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
      if (chosen.contains("dataloss")) {
        scenarios.dataLoss();
      }
      if (chosen.contains("rare")) {
        scenarios.rareKeys();
      }
      if (chosen.contains("mix")) {
        scenarios.mix();
      }
      if (chosen.contains("storm")) {
        scenarios.storm();
      }
      if (chosen.contains("batch")) {
        scenarios.batch();
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
    sustained(scenario, "JetCache Caffeine + Redis, ttl 1 s", 1, "jetcache", steadyP99);
    sustained(scenario, "JetCache Caffeine + Redis, refresh 1 s (@CacheRefresh)", 1, "jetcacheRefresh", steadyP99);
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
    List<JetCacheStack> jetCaches = new ArrayList<>();
    try {
      String[] withMetrics = java.util.Arrays.copyOf(properties, properties.length + 1);
      withMetrics[properties.length] = "bench.metrics=true";
      for (int i = 0; i < instances; i++) {
        contexts.add(BenchApp.start(redis, backend, "sustained-" + i, withMetrics));
      }
      List<LongFunction<Object>> calls = new ArrayList<>();
      for (ConfigurableApplicationContext context : contexts) {
        if (which.startsWith("jetcache")) {
          // ttl 1 s like the others; with @CacheRefresh-style refresh, JetCache keeps it for 2 s and
          // refreshes it every second in the background, as its documentation advises.
          boolean refreshing = which.equals("jetcacheRefresh");
          JetCacheStack jetCache = new JetCacheStack(redis.port(), "sustained-" + jetCaches.size(), backend,
              Duration.ofSeconds(refreshing ? 2 : 1), 100, refreshing ? Duration.ofSeconds(1) : null);
          jetCaches.add(jetCache);
          calls.add(n -> jetCache.get("sustained"));
          continue;
        }
        calls.add(which.equals("refreshAfterWrite") ? refreshAfterWrite(Duration.ofSeconds(1))
            : call(context, which, "sustained"));
      }
      LongFunction<Object> expiring = n -> calls.get((int) (n % instances)).apply(n);
      expiring.apply(0); // the first load, not counted: the windows follow it
      // JIT warm-up over two expiries, so that the refresh and reload paths are compiled before
      // the measured run, as the hit path is before the steady-state one.
      PacedLoad.run(LOAD_THREADS, PERIOD_NANOS, TimeUnit.MILLISECONDS.toNanos(2500), expiring);
      backend.reset(LOADER_MILLIS);
      double missesBefore = coalesceMisses(contexts);
      PacedLoad.Outcome run = PacedLoad.run(LOAD_THREADS, PERIOD_NANOS, TimeUnit.SECONDS.toNanos(10), expiring);
      double waitedForALoad = coalesceMisses(contexts) - missesBefore;
      Latencies l = run.latencies();
      table.add(new Table.Row(scenario, stack, run.calls(), backend.calls(), run.errors(),
          l.percentileMillis(50), l.percentileMillis(99), l.maxMillis(), run.throughput(),
          String.format(java.util.Locale.ROOT, "%scalls >= %.0f ms: %d; p99 %.1fx the steady-state hit p99",
              which.equals("products") ? String.format(java.util.Locale.ROOT, "callers that waited for a load "
                  + "(coalesce.gets miss): %.0f; ", waitedForALoad) : "",
              WAITED_MILLIS, l.countAtLeastMillis(WAITED_MILLIS), l.percentileMillis(99) / steadyP99)));
    } finally {
      jetCaches.forEach(JetCacheStack::close);
      contexts.forEach(ConfigurableApplicationContext::close);
    }
  }

  /** Coalesce's count of reads that found nothing to serve and waited for a load, over every instance. */
  private static double coalesceMisses(List<ConfigurableApplicationContext> contexts) {
    double misses = 0;
    for (ConfigurableApplicationContext context : contexts) {
      io.micrometer.core.instrument.MeterRegistry registry =
          context.getBeanProvider(io.micrometer.core.instrument.MeterRegistry.class).getIfAvailable();
      io.micrometer.core.instrument.Counter counter = registry == null ? null
          : registry.find("coalesce.gets").tag("cache", "products").tag("result", "miss").counter();
      misses += counter == null ? 0 : counter.count();
    }
    return misses;
  }

  /** Caffeine's own refresh-ahead: the first read after {@code refresh} reloads in the background. */
  private LongFunction<Object> refreshAfterWrite(Duration refresh) {
    com.github.benmanes.caffeine.cache.LoadingCache<String, Product> cache =
        com.github.benmanes.caffeine.cache.Caffeine.newBuilder().refreshAfterWrite(refresh).build(backend::load);
    return n -> cache.get("sustained");
  }

  // ---------------------------------------------------------------------------------------------
  // 6. A realistic mix (issue 14, item 5): 100,000 keys with a Zipf(0.99) popularity, 95 % reads and
  //    5 % writes (half evicts, half puts), ttl 30 s with jitter, loader 2 ms, L1 of 10,000 entries.

  private static final int MIX_KEYS = 100_000;
  private static final long MIX_LOADER_MILLIS = 2;
  private static final long MIX_WARM_UP_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final long MIX_MEASURED_NANOS = TimeUnit.SECONDS.toNanos(20);

  /** One stack's read, evict and put of a key. */
  private record MixCalls(java.util.function.Function<String, Object> read, java.util.function.Consumer<String> evict,
      java.util.function.Consumer<String> put) {}

  private void mix() throws Exception {
    Zipf zipf = new Zipf(MIX_KEYS, 0.99);
    System.out.printf(java.util.Locale.ROOT, "mix: %,d keys, Zipf(0.99) (the 10,000 most popular get %.0f %% of "
        + "calls), 95 %% reads / 5 %% writes, ttl 30 s, loader %d ms%n", MIX_KEYS, 100 * zipf.shareOfTop(10_000),
        MIX_LOADER_MILLIS);
    for (int threads : new int[] {2, 8}) {
      String scenario = "mix, Zipf(0.99) over 100,000 keys, " + threads + " threads";
      mixRun(scenario, "Coalesce (L1 10,000 + Redis)", threads, zipf, c -> {
        CoalescedCatalog catalog = c.getBean(CoalescedCatalog.class);
        return new MixCalls(catalog::mix, catalog::mixEvict, catalog::mixPut);
      });
      mixRun(scenario, "Spring @Cacheable(sync) Caffeine (10,000)", threads, zipf, c -> {
        SpringCatalog catalog = c.getBean(SpringCatalog.class);
        return new MixCalls(catalog::mix, catalog::mixEvict, catalog::mixPut);
      });
      mixRun(scenario, "Spring @Cacheable(sync) Redis", threads, zipf, c -> {
        SpringCatalog catalog = c.getBean(SpringCatalog.class);
        return new MixCalls(catalog::mixRemote, catalog::mixRemoteEvict, catalog::mixRemotePut);
      });
      try (JetCacheStack jetCache = new JetCacheStack(redis.port(), "mix", backend, Duration.ofSeconds(30), 10_000,
          null)) {
        mixRun(scenario, "JetCache Caffeine (10,000) + Redis", threads, zipf, c -> new MixCalls(jetCache::get,
            jetCache::evict, key -> jetCache.put(key, new Product(key, "Product " + key + " (updated)", 2099))));
      }
    }
  }

  private void mixRun(String scenario, String stack, int threads, Zipf zipf,
      java.util.function.Function<ConfigurableApplicationContext, MixCalls> stackCalls) throws Exception {
    redis.flushAll();
    try (ConfigurableApplicationContext context = BenchApp.start(redis, backend, "mix",
        "coalesce.caches.mix.ttl=30s", "coalesce.caches.mix.jitter=0.1", "coalesce.caches.mix.local.maximum-size=10000",
        "bench.spring.ttl=30s")) {
      MixCalls calls = stackCalls.apply(context);
      backend.reset(MIX_LOADER_MILLIS);
      runMix(threads, zipf, calls, MIX_WARM_UP_NANOS); // fills the caches, compiles the paths
      backend.reset(MIX_LOADER_MILLIS);
      long commandsBefore = redis.commandsProcessed();
      MixOutcome run = runMix(threads, zipf, calls, MIX_MEASURED_NANOS);
      double seconds = MIX_MEASURED_NANOS / 1e9;
      long commands = redis.commandsProcessed() - commandsBefore;
      Latencies l = run.latencies();
      table.add(new Table.Row(scenario, stack, l.count(), backend.calls(), run.errors(), l.percentileMillis(50),
          l.percentileMillis(99), l.maxMillis(), l.count() / seconds,
          String.format(java.util.Locale.ROOT, "p99.9 %s ms; loader calls/s %.0f; Redis commands/s %.0f (%.2f per call)",
              Table.fmt(l.percentileMillis(99.9)), backend.calls() / seconds, commands / seconds,
              (double) commands / Math.max(1, l.count()))));
    }
  }

  private record MixOutcome(Latencies latencies, int errors) {}

  /** Closed loop: each thread calls again as soon as its call returns. */
  private static MixOutcome runMix(int threads, Zipf zipf, MixCalls calls, long durationNanos) throws Exception {
    long[][] nanos = new long[threads][];
    int[] counts = new int[threads];
    java.util.concurrent.atomic.AtomicInteger errors = new java.util.concurrent.atomic.AtomicInteger();
    List<Thread> workers = new ArrayList<>();
    long end = System.nanoTime() + durationNanos;
    for (int t = 0; t < threads; t++) {
      int thread = t;
      Thread worker = new Thread(() -> {
        java.util.SplittableRandom random = new java.util.SplittableRandom(thread * 7919L + 1);
        long[] mine = new long[1 << 16];
        int n = 0;
        while (System.nanoTime() < end) {
          String sku = "sku-" + zipf.next(random);
          int dice = random.nextInt(1000);
          long start = System.nanoTime();
          try {
            if (dice < 950) {
              calls.read().apply(sku);
            } else if (dice < 975) {
              calls.evict().accept(sku);
            } else {
              calls.put().accept(sku);
            }
          } catch (RuntimeException e) {
            errors.incrementAndGet();
          }
          if (n == mine.length) {
            mine = java.util.Arrays.copyOf(mine, n * 2);
          }
          mine[n++] = System.nanoTime() - start;
        }
        nanos[thread] = mine;
        counts[thread] = n;
      }, "mix-" + t);
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    return new MixOutcome(Latencies.merge(nanos, counts), errors.get());
  }

  // ---------------------------------------------------------------------------------------------
  // 7. Miss storm (issue 14, item 6): 10,000 distinct cold keys at once over 4 instances, each key
  //    asked for by every caller; Coalesce with a load bulkhead of 8 per instance.

  private static final int STORM_KEYS = 10_000;
  private static final int STORM_THREADS_PER_INSTANCE = 16;
  private static final long STORM_LOADER_MILLIS = 5;
  private static final int STORM_BULKHEAD = 8;

  private void storm() throws Exception {
    System.out.println("miss storm: " + STORM_KEYS + " cold keys over 4 instances x " + STORM_THREADS_PER_INSTANCE
        + " callers, each caller asking for every key in its own order, loader " + STORM_LOADER_MILLIS + " ms");
    String scenario = "miss storm, 10,000 cold keys, 4 instances x " + STORM_THREADS_PER_INSTANCE + " callers";
    stormRun(scenario, "Coalesce, bulkhead " + STORM_BULKHEAD + " per instance", c -> c.getBean(CoalescedCatalog.class)::storm);
    stormRun(scenario, "Spring @Cacheable(sync) Redis", c -> c.getBean(SpringCatalog.class)::stormRemote);
  }

  private void stormRun(String scenario, String stack,
      java.util.function.Function<ConfigurableApplicationContext, java.util.function.Function<String, Object>> stackCall)
      throws Exception {
    redis.flushAll();
    List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    try {
      for (int i = 0; i < 4; i++) {
        contexts.add(BenchApp.start(redis, backend, "storm-" + i,
            "coalesce.caches.storm.bulkhead.max-concurrent-loads=" + STORM_BULKHEAD,
            "coalesce.caches.storm.bulkhead.max-wait=30s", "coalesce.caches.storm.lock.wait=30s"));
      }
      List<java.util.function.Function<String, Object>> calls = contexts.stream().map(stackCall).toList();
      for (var call : calls) {
        call.apply("warm-up"); // the proxies and connections, not the storm's keys
      }
      backend.reset(STORM_LOADER_MILLIS);
      long commandsBefore = redis.commandsProcessed();
      int threads = 4 * STORM_THREADS_PER_INSTANCE;
      long[][] nanos = new long[threads][STORM_KEYS];
      int[] counts = new int[threads];
      java.util.concurrent.atomic.AtomicInteger errors = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        var call = calls.get(t % 4);
        List<String> keys = new ArrayList<>();
        for (int k = 0; k < STORM_KEYS; k++) {
          keys.add("storm-" + k);
        }
        Collections.shuffle(keys, new Random(thread));
        Thread worker = new Thread(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (String key : keys) {
            long start = System.nanoTime();
            try {
              call.apply(key);
            } catch (RuntimeException e) {
              errors.incrementAndGet();
            }
            nanos[thread][counts[thread]++] = System.nanoTime() - start;
          }
        }, "storm-" + t);
        workers.add(worker);
        worker.start();
      }
      long start = System.nanoTime();
      go.countDown();
      for (Thread worker : workers) {
        worker.join();
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      long commands = redis.commandsProcessed() - commandsBefore;
      Latencies l = Latencies.merge(nanos, counts);
      table.add(new Table.Row(scenario, stack, l.count(), backend.calls(), errors.get(), l.percentileMillis(50),
          l.percentileMillis(99), l.maxMillis(), l.count() / seconds,
          String.format(java.util.Locale.ROOT, "loads per key %.2f; peak concurrent loads %d; drained in %.1f s; "
              + "Redis commands per key %.1f", backend.calls() / (double) STORM_KEYS, backend.peakConcurrency(),
              seconds, commands / (double) STORM_KEYS)));
    } finally {
      contexts.forEach(ConfigurableApplicationContext::close);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 8. Batch reads (issue 15): 100 ids per request, 90 of them cached, 10 never asked before.

  private static final int BATCH_SIZE = 100;
  private static final int BATCH_CACHED = 90;
  private static final int BATCH_WARM_KEYS = 2_000;
  private static final int BATCH_REQUESTS = 300;
  private static final int BATCH_COUNTED_REQUESTS = 20;
  private static final long BATCH_QUERY_MILLIS = 2;

  /** One request of the batch scenario: the ids to ask, in order. */
  private static List<List<String>> batchRequests(String stack, int count, long seed) {
    Random random = new Random(seed);
    List<List<String>> requests = new ArrayList<>();
    for (int r = 0; r < count; r++) {
      java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
      while (ids.size() < BATCH_CACHED) {
        ids.add("warm-" + random.nextInt(BATCH_WARM_KEYS));
      }
      for (int n = 0; n < BATCH_SIZE - BATCH_CACHED; n++) {
        ids.add("new-" + stack + "-" + seed + "-" + r + "-" + n);
      }
      List<String> shuffled = new ArrayList<>(ids);
      Collections.shuffle(shuffled, random);
      requests.add(shuffled);
    }
    return requests;
  }

  private void batch() throws Exception {
    System.out.println("batch: " + BATCH_REQUESTS + " requests of " + BATCH_SIZE + " ids, " + BATCH_CACHED
        + " of them among " + BATCH_WARM_KEYS + " cached ids, " + (BATCH_SIZE - BATCH_CACHED)
        + " never asked before; a query (one id or many) takes " + BATCH_QUERY_MILLIS + " ms");
    redis.flushAll();
    try (ConfigurableApplicationContext a = BenchApp.start(redis, backend, "batch-a");
        ConfigurableApplicationContext b = BenchApp.start(redis, backend, "batch-b",
            "coalesce.caches.batch.local.enabled=false")) {
      CoalescedCatalog here = a.getBean(CoalescedCatalog.class);
      CoalescedCatalog redisOnly = b.getBean(CoalescedCatalog.class);
      SpringCatalog spring = a.getBean(SpringCatalog.class);
      backend.reset(0);
      for (int k = 0; k < BATCH_WARM_KEYS; k++) {
        here.oneOfBatch("warm-" + k); // in instance a's L1 and in Redis
        spring.oneOfBatch("warm-" + k);
      }
      String scenario = "batch of 100 ids, 90 cached";
      batchRun(scenario, "Coalesce @Coalesced(batch), warm L1", "cb", ids -> here.bySkus(ids));
      batchRun(scenario, "Coalesce @Coalesced(batch), cached in Redis only", "cr", ids -> redisOnly.bySkus(ids));
      batchRun(scenario, "Coalesce, loop of @Coalesced findById, warm L1", "cl", ids -> {
        List<Product> found = new ArrayList<>(ids.size());
        ids.forEach(id -> found.add(here.oneOfBatch(id)));
        return found;
      });
      batchRun(scenario, "Coalesce, loop of @Coalesced findById, cached in Redis only", "clr", ids -> {
        List<Product> found = new ArrayList<>(ids.size());
        ids.forEach(id -> found.add(redisOnly.oneOfBatch(id)));
        return found;
      });
      batchRun(scenario, "Spring @Cacheable(sync) Redis, loop of findById", "sl", ids -> {
        List<Product> found = new ArrayList<>(ids.size());
        ids.forEach(id -> found.add(spring.oneOfBatch(id)));
        return found;
      });
      batchRun(scenario, "Spring @Cacheable Redis on the batch method (one entry per list)", "sb",
          ids -> spring.bySkus(ids));
    }
  }

  /**
   * A warm-up pass, a timed pass of {@link #BATCH_REQUESTS} requests, then a pass of
   * {@link #BATCH_COUNTED_REQUESTS} under {@code MONITOR} counting the commands clients sent.
   */
  private void batchRun(String scenario, String stack, String name,
      java.util.function.Function<List<String>, List<Product>> call) throws Exception {
    for (List<String> ids : batchRequests(name + "-warm-up", 50, 1)) {
      call.apply(ids);
    }
    backend.reset(BATCH_QUERY_MILLIS);
    List<List<String>> requests = batchRequests(name, BATCH_REQUESTS, 2);
    long[] nanos = new long[requests.size()];
    int errors = 0;
    long start = System.nanoTime();
    for (int r = 0; r < requests.size(); r++) {
      long t = System.nanoTime();
      try {
        List<Product> found = call.apply(requests.get(r));
        if (found.size() != BATCH_SIZE) {
          errors++;
        }
      } catch (RuntimeException e) {
        errors++;
      }
      nanos[r] = System.nanoTime() - t;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long queries = backend.calls();
    long rows = backend.rows(); // before the counted pass below, which queries too
    Latencies l = Latencies.merge(new long[][] {nanos}, new int[] {nanos.length});
    long commands;
    try (RoundTrips roundTrips = RoundTrips.count(redis)) {
      roundTrips.commands(200);
      long before = roundTrips.commands(50);
      for (List<String> ids : batchRequests(name + "-counted", BATCH_COUNTED_REQUESTS, 3)) {
        call.apply(ids);
      }
      commands = roundTrips.commands(200) - before;
    }
    table.add(new Table.Row(scenario, stack, l.count(), queries, errors, l.percentileMillis(50),
        l.percentileMillis(99), l.maxMillis(), l.count() / seconds,
        String.format(java.util.Locale.ROOT, "queries per request %.2f, rows per request %.1f; "
            + "Redis commands sent per request %.1f", queries / (double) requests.size(),
            rows / (double) requests.size(),
            commands / (double) BATCH_COUNTED_REQUESTS)));
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
  // 5b. Redis loses its data under load (issue 29, item 1): 4 instances, 150 keys, ttl 2 s, loader
  //     5 ms; FLUSHALL at 3 s, every write refused (OOM) from 4 s to 7 s, run ends at 12 s.

  private static final int LOSS_INSTANCES = 4;
  private static final int LOSS_KEYS = 150;
  private static final long LOSS_LOADER_MILLIS = 5;
  private static final long[] LOSS_EVENTS_MILLIS = {3000, 4000, 7000};

  private void dataLoss() throws Exception {
    System.out.println("Redis loses its data: " + LOSS_INSTANCES + " instances, " + LOAD_THREADS
        + " callers x 1 call/ms over " + LOSS_KEYS + " keys (ttl 2 s), loader " + LOSS_LOADER_MILLIS
        + " ms; FLUSHALL at 3 s, writes refused (OOM) from 4 s to 7 s, run ends at 12 s");
    dataLoss("Coalesce (L1 + Redis), no fault", "coalesce", false);
    dataLoss("Coalesce (L1 + Redis)", "coalesce", true);
    dataLoss("JetCache Caffeine + Redis", "jetcache", true);
    dataLoss("Spring @Cacheable(sync) Redis", "redis", true);
  }

  private void dataLoss(String stack, String which, boolean faults) throws Exception {
    String only = System.getProperty("bench.dataloss.only"); // e.g. "coalesce", to trace one stack
    if (only != null && !(only.equals(which) && faults)) {
      return;
    }
    redis.command("CONFIG", "SET", "maxmemory", "0");
    redis.flushAll();
    List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    List<JetCacheStack> jetCaches = new ArrayList<>();
    try {
      List<LongFunction<Product>> instances = new ArrayList<>();
      for (int i = 0; i < LOSS_INSTANCES; i++) {
        if (which.equals("jetcache")) {
          JetCacheStack jetCache = new JetCacheStack(redis.port(), "loss", backend, Duration.ofSeconds(2),
              1000, null);
          jetCaches.add(jetCache);
          instances.add(n -> jetCache.get("loss-" + n));
          continue;
        }
        ConfigurableApplicationContext context = BenchApp.start(redis, backend, "loss-" + i,
            "coalesce.caches.products.ttl=2s", "bench.spring.ttl=2s");
        contexts.add(context);
        CoalescedCatalog coalesced = context.getBean(CoalescedCatalog.class);
        SpringCatalog spring = context.getBean(SpringCatalog.class);
        instances.add(which.equals("coalesce") ? n -> coalesced.product("loss-" + n)
            : n -> spring.productRemote("loss-" + n));
      }
      java.util.concurrent.atomic.AtomicLong wrong = new java.util.concurrent.atomic.AtomicLong();
      // Call n goes to instance n % 4 and key (n / 4) % 150, so every instance reads every key.
      LongFunction<Object> call = n -> {
        String key = "loss-" + (n / LOSS_INSTANCES) % LOSS_KEYS;
        Product product = instances.get((int) (n % LOSS_INSTANCES)).apply((n / LOSS_INSTANCES) % LOSS_KEYS);
        if (product == null || !product.sku().equals(key)) {
          wrong.incrementAndGet();
        }
        return product;
      };
      backend.reset(LOSS_LOADER_MILLIS);
      PacedLoad.run(LOAD_THREADS, PERIOD_NANOS, TimeUnit.SECONDS.toNanos(6), call); // warm: JIT, L1s, 3 windows
      backend.reset(LOSS_LOADER_MILLIS);
      wrong.set(0);
      long[] loadsAt = new long[LOSS_EVENTS_MILLIS.length];
      long[] eventNanos = new long[LOSS_EVENTS_MILLIS.length];
      Thread chaos = new Thread(() -> {
        long start = System.nanoTime();
        for (int e = 0; e < LOSS_EVENTS_MILLIS.length; e++) {
          long wait = start + TimeUnit.MILLISECONDS.toNanos(LOSS_EVENTS_MILLIS[e]) - System.nanoTime();
          if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
          loadsAt[e] = backend.calls();
          eventNanos[e] = System.nanoTime();
          if (!faults) {
            continue;
          }
          switch (e) {
            case 0 -> redis.flushAll();
            case 1 -> redis.command("CONFIG", "SET", "maxmemory", "1"); // noeviction: every write gets OOM
            default -> redis.command("CONFIG", "SET", "maxmemory", "0");
          }
        }
      }, "chaos");
      chaos.start();
      PacedLoad.Outcome run = PacedLoad.run(LOAD_THREADS, PERIOD_NANOS, TimeUnit.SECONDS.toNanos(12), call);
      chaos.join();
      long loads = backend.calls();
      long sinceWorstMillis = (System.nanoTime() - run.worstDueNanos()) / 1_000_000;
      long worstUptimeMillis = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() - sinceWorstMillis;
      System.out.println("  " + stack + ": worst call due at " + java.time.Instant.ofEpochMilli(
          System.currentTimeMillis() - sinceWorstMillis) + ", the flush at " + java.time.Instant.ofEpochMilli(
          System.currentTimeMillis() - (System.nanoTime() - eventNanos[0]) / 1_000_000));
      Latencies l = run.latencies();
      table.add(new Table.Row("Redis loses its data", stack, run.calls(), loads, (int) (run.errors() + wrong.get()),
          l.percentileMillis(50), l.percentileMillis(99), l.maxMillis(), run.throughput(),
          String.format(java.util.Locale.ROOT, "wrong values %d; loads before the flush %d, flush to OOM %d, "
              + "OOM %d, after %d; p99.9 %.1f ms; calls >= 10 ms %d; worst call due %+.0f ms from the flush, at uptime %.3f s",
              wrong.get(), loadsAt[0], loadsAt[1] - loadsAt[0], loadsAt[2] - loadsAt[1], loads - loadsAt[2],
              l.percentileMillis(99.9), l.countAtLeastMillis(WAITED_MILLIS),
              (run.worstDueNanos() - eventNanos[0]) / 1e6, worstUptimeMillis / 1e3)));
    } finally {
      redis.command("CONFIG", "SET", "maxmemory", "0");
      jetCaches.forEach(JetCacheStack::close);
      contexts.forEach(ConfigurableApplicationContext::close);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // 5c. Keys read rarely (issue 29, item 4): 500 keys, each read about twice a second (uniformly at
  //     random, 1,000 calls/s), ttl 10 s, loader 20 ms: far fewer reads than one per load time.

  private static final int RARE_KEYS = 500;
  private static final long RARE_LOADER_MILLIS = 20;
  /** A call this slow waited for a load (a hit takes well under a millisecond). */
  private static final double RARE_WAITED_MILLIS = 15;

  private void rareKeys() throws Exception {
    System.out.println("keys read rarely: " + RARE_KEYS + " keys, 1,000 calls/s spread at random over them "
        + "(each key read every 0.5 s on average), ttl 10 s, loader " + RARE_LOADER_MILLIS + " ms, 30 s measured");
    try (ConfigurableApplicationContext context = BenchApp.start(redis, backend, "rare",
        "coalesce.caches.products.ttl=10s", "coalesce.caches.products.jitter=0", "bench.spring.ttl=10s")) {
      CoalescedCatalog coalesced = context.getBean(CoalescedCatalog.class);
      SpringCatalog spring = context.getBean(SpringCatalog.class);
      com.github.benmanes.caffeine.cache.LoadingCache<String, Product> refreshing =
          com.github.benmanes.caffeine.cache.Caffeine.newBuilder().refreshAfterWrite(Duration.ofMillis(7500))
              .expireAfterWrite(Duration.ofSeconds(10)).build(backend::load);
      rare("Coalesce (L1 + Redis), defaults", "c", coalesced::product);
      rare("Spring @Cacheable(sync) Caffeine, ttl 10 s", "s", spring::product);
      rare("Caffeine refreshAfterWrite(7.5 s), expireAfterWrite(10 s)", "r", refreshing::get);
    }
  }

  private void rare(String stack, String tag, java.util.function.Function<String, Product> call) throws Exception {
    LongFunction<Object> read = n -> {
      long mixed = n * 0x9E3779B97F4A7C15L; // a fixed pseudo-random key per call: every stack gets the same sequence
      return call.apply("rare-" + tag + "-" + Math.floorMod(mixed ^ (mixed >>> 29), RARE_KEYS));
    };
    backend.reset(RARE_LOADER_MILLIS);
    PacedLoad.run(4, TimeUnit.MILLISECONDS.toNanos(4), TimeUnit.SECONDS.toNanos(12), read); // every key loaded, JIT
    backend.reset(RARE_LOADER_MILLIS);
    PacedLoad.Outcome run = PacedLoad.run(4, TimeUnit.MILLISECONDS.toNanos(4), TimeUnit.SECONDS.toNanos(30), read);
    Latencies l = run.latencies();
    table.add(new Table.Row("keys read rarely (every 0.5 s, ttl 10 s)", stack, run.calls(), backend.calls(),
        run.errors(), l.percentileMillis(50), l.percentileMillis(99), l.maxMillis(), run.throughput(),
        String.format(java.util.Locale.ROOT, "calls >= %.0f ms (waited for a load): %d; ideal loads, one per key "
            + "per ttl: %d", RARE_WAITED_MILLIS, l.countAtLeastMillis(RARE_WAITED_MILLIS), RARE_KEYS * 3)));
  }

  // ---------------------------------------------------------------------------------------------

  /** One call per path on a throw-away key: connections opened, classes loaded, before timing. */
  @SafeVarargs
  private static void warmUp(java.util.function.Function<String, Object>... paths) {
    for (java.util.function.Function<String, Object> path : paths) {
      path.apply("warm-up");
    }
  }

  static String loadAverage() {
    double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return String.format(java.util.Locale.ROOT, "%.2f (1-minute load average)", load);
  }
}
