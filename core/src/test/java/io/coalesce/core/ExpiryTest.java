package io.coalesce.core;

import io.coalesce.test.TestClock;
import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.core.CacheListener.GetResult;
import io.coalesce.core.CacheListener.RefreshTrigger;
import io.coalesce.local.CaffeineLocalTier;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Logical expiry on a clock the tests move: stale serving, early refresh, jitter, null caching. */
class ExpiryTest {

  final TestClock clock = new TestClock();
  final RecordingListener listener = new RecordingListener();

  /** Background refreshes wait here until the test runs them, so they can be counted exactly. */
  final Queue<Runnable> refreshes = new ArrayDeque<>();
  final Executor queued = refreshes::add;

  /** Runs the background work queued so far. */
  void runQueued() {
    for (Runnable task; (task = refreshes.poll()) != null; ) {
      task.run();
    }
  }

  CoalescingCache cache(CacheSettings settings, Executor refreshExecutor) {
    return CoalescingCacheBuilder.named("products").settings(settings).clock(clock).listener(listener)
        .random(new Random(42)).refreshExecutor(refreshExecutor)
        .localTier(CaffeineLocalTier.create(100_000, clock)).build();
  }

  @Test
  void pastTtlCallersGetTheStaleValueAtOnceWhileExactlyOneRefreshRuns() {
    CoalescingCache cache = cache(CacheSettings.builder().ttl(Duration.ofMinutes(1)).jitter(0)
        .staleTtl(Duration.ofMinutes(10)).earlyRefreshBeta(0).build(), queued);
    AtomicInteger loads = new AtomicInteger();
    cache.get("k", String.class, () -> "v" + loads.incrementAndGet());

    clock.advance(Duration.ofMinutes(2)); // past ttl, within the stale window
    for (int i = 0; i < 100; i++) {
      assertThat(cache.get("k", String.class, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
    }
    assertThat(loads.get()).isEqualTo(1); // no caller waited on a load
    assertThat(refreshes).hasSize(1);     // one refresh queued for the 100 stale reads
    assertThat(listener.count(RefreshTrigger.STALE)).isEqualTo(1);

    refreshes.poll().run();
    assertThat(loads.get()).isEqualTo(2);
    assertThat(cache.get("k", String.class, () -> "v" + loads.incrementAndGet())).isEqualTo("v2");
    assertThat(cache.inFlight()).isZero();
  }

  @Test
  void pastTheStaleWindowCallersWaitForOneLoad() throws Exception {
    CoalescingCache cache = cache(CacheSettings.builder().ttl(Duration.ofMinutes(1)).jitter(0)
        .staleTtl(Duration.ofMinutes(10)).earlyRefreshBeta(0).staleIfError(false).build(), queued);
    AtomicInteger loads = new AtomicInteger();
    cache.get("k", String.class, () -> "v" + loads.incrementAndGet());

    clock.advance(Duration.ofMinutes(12)); // past ttl + stale-ttl
    var results = SingleFlightTest.together(() -> cache.get("k", String.class, () -> {
      Thread.sleep(50);
      return "v" + loads.incrementAndGet();
    }));

    assertThat(results).allSatisfy(r -> assertThat(r).isEqualTo("v2"));
    assertThat(loads.get()).isEqualTo(2);
    assertThat(refreshes).isEmpty();
  }

  /** Reads every 100 ms over three ttls; each load "takes" 2 s of clock time (the early-refresh scale). */
  int blockingMissesOverThreeTtls(double beta) {
    CoalescingCache cache = cache(CacheSettings.builder().ttl(Duration.ofMinutes(1)).jitter(0)
        .earlyRefreshBeta(beta).build(), Runnable::run);
    AtomicInteger loads = new AtomicInteger();
    for (int step = 0; step < 3 * 600; step++) {
      cache.get("hot", String.class, () -> {
        clock.advance(Duration.ofSeconds(2));
        return "v" + loads.incrementAndGet();
      });
      clock.advance(Duration.ofMillis(100));
    }
    return listener.count(GetResult.MISS);
  }

  @Test
  void withEarlyRefreshAKeyReadContinuouslyIsRefreshedBeforeItExpires() {
    int misses = blockingMissesOverThreeTtls(1.0);
    assertThat(misses).isEqualTo(1); // only the very first, cold read waited
    assertThat(listener.count(RefreshTrigger.EARLY)).isGreaterThanOrEqualTo(2);
  }

  /**
   * Issue 14's sustained load on the default settings (ttl 1 s, jitter 0.1, stale-ttl 0, beta 1):
   * 32 reads per millisecond of clock time for ten windows, each load taking 50 ms of it on a
   * background thread. One load per window, and not one read after the cold one waits for a load.
   *
   * <p>The test thread alone moves the clock, in lock-step with the background load so that no
   * scheduling delay changes what the cache sees: it moves it only while no load is under way, or
   * while one is waiting for its 50 ms to pass, never while a load is about to start or to be
   * stored. Each load then takes exactly 50 ms of clock time, however the threads are scheduled.
   */
  @Test
  void aHotKeyOnTheDefaultsIsRefreshedOncePerWindowAndNoReadWaits() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      ClockedLoads background = new ClockedLoads(Thread.currentThread());
      CoalescingCache cache = cache(CacheSettings.builder().ttl(Duration.ofSeconds(1)).build(),
          background.counting(pool));
      AtomicInteger loads = new AtomicInteger();
      java.util.concurrent.Callable<String> load = () -> {
        background.take(Duration.ofMillis(50));
        return "v" + loads.incrementAndGet();
      };
      CompletableFuture<String> cold = background.counted(
          () -> CompletableFuture.supplyAsync(() -> cache.get("hot", String.class, load), pool));
      while (!cold.isDone()) {
        background.tick();
      }
      int windows = 10;
      for (int tick = 0; tick < windows * 1000; tick++) {
        background.tick();
        for (int read = 0; read < 32; read++) {
          assertThat(cache.get("hot", String.class, load)).startsWith("v");
        }
      }
      int misses = listener.count(GetResult.MISS);
      org.assertj.core.api.SoftAssertions.assertSoftly(softly -> {
        softly.assertThat(misses).as("reads that waited for a load").isEqualTo(1);
        softly.assertThat(loads.get()).as("loads, the cold one included, over " + windows + " windows")
            .isLessThanOrEqualTo(windows + 1);
      });
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Loads that take clock time on a background thread while one test thread moves the clock. A load
   * on the test thread itself (a read that waits) moves the clock on its own; a background load the
   * test thread waits for fails after 30 s of real time, and stops at an interrupt, instead of
   * spinning for ever.
   */
  final class ClockedLoads {
    final Thread mover;
    final AtomicInteger pending = new AtomicInteger();
    volatile long loadEndsAt; // 0: no load is waiting for the clock

    ClockedLoads(Thread mover) {
      this.mover = mover;
    }

    /** An executor whose tasks count as background work until they have run to their end. */
    Executor counting(Executor executor) {
      return task -> {
        pending.incrementAndGet();
        try {
          executor.execute(() -> {
            try {
              task.run();
            } finally {
              pending.decrementAndGet();
            }
          });
        } catch (RuntimeException rejected) {
          pending.decrementAndGet();
          throw rejected;
        }
      };
    }

    /** Background work started by {@code start}, counted until the future it returns completes. */
    <T> CompletableFuture<T> counted(java.util.function.Supplier<CompletableFuture<T>> start) {
      pending.incrementAndGet();
      return start.get().whenComplete((value, failure) -> pending.decrementAndGet());
    }

    /** Called by a loader: returns once {@code duration} of clock time has passed. */
    void take(Duration duration) throws InterruptedException {
      long until = clock.millis() + duration.toMillis();
      if (Thread.currentThread() == mover) {
        clock.advance(duration);
        return;
      }
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      loadEndsAt = until;
      try {
        while (clock.millis() < until) {
          if (Thread.interrupted()) {
            throw new InterruptedException();
          }
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("the clock stopped at " + clock.millis() + " during a load");
          }
          Thread.onSpinWait();
        }
      } finally {
        loadEndsAt = 0;
      }
    }

    /** Moves the clock 1 ms, once no background work is starting or finishing. */
    void tick() {
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
      while (pending.get() > 0 && !(loadEndsAt != 0 && clock.millis() < loadEndsAt)) {
        assertThat(System.nanoTime()).as("background work still running after 30 s").isLessThan(deadline);
        Thread.onSpinWait();
      }
      clock.advance(Duration.ofMillis(1));
    }
  }

  @Test
  void withBetaZeroTheKeyIsNotRefreshedEarly() {
    int misses = blockingMissesOverThreeTtls(0);
    assertThat(misses).isGreaterThanOrEqualTo(3); // a caller waited at every expiry
    assertThat(listener.count(RefreshTrigger.EARLY)).isZero();
  }

  @Test
  void effectiveTtlsSpreadUniformlyOverTheJitterRange() {
    long ttl = 600_000;
    EntryPolicy policy = new EntryPolicy(CacheSettings.builder().ttl(Duration.ofMillis(ttl)).jitter(0.1).build(),
        new Random(7));
    int n = 100_000;
    int[] buckets = new int[10];
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      long effective = policy.entryFor("v", 0, 0).expiresAt();
      min = Math.min(min, effective);
      max = Math.max(max, effective);
      sum += effective;
      buckets[(int) Math.min(9, (effective - 540_000) * 10 / 120_001)]++;
    }
    assertThat(min).isGreaterThanOrEqualTo(540_000).isLessThan(541_000);  // ttl·(1−jitter), approached
    assertThat(max).isLessThanOrEqualTo(660_000).isGreaterThan(659_000); // ttl·(1+jitter), approached
    assertThat(sum / n).isBetween(ttl * 0.998, ttl * 1.002);
    for (int count : buckets) {
      assertThat(count).isBetween(n / 10 * 95 / 100, n / 10 * 105 / 100); // flat within 5%
    }
  }

  @Test
  void notFoundIsCachedForNullTtl() {
    CoalescingCache cache = cache(CacheSettings.builder().nullTtl(Duration.ofSeconds(30)).jitter(0).build(), queued);
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < 5; i++) {
      assertThat(cache.<String>get("absent", String.class, () -> {
        loads.incrementAndGet();
        return null;
      })).isNull();
    }
    assertThat(loads.get()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(31));
    cache.get("absent", String.class, () -> {
      loads.incrementAndGet();
      return null;
    });
    assertThat(loads.get()).isEqualTo(2);
  }

  @Test
  void withNullTtlZeroNotFoundIsNotCached() {
    CoalescingCache cache = cache(CacheSettings.builder().nullTtl(Duration.ZERO).build(), queued);
    AtomicInteger loads = new AtomicInteger();
    for (int i = 0; i < 3; i++) {
      cache.get("absent", Optional.class, () -> {
        loads.incrementAndGet();
        return null;
      });
    }
    assertThat(loads.get()).isEqualTo(3);
  }

  @Test
  void anEvictDuringALoadKeepsThatLoadsResultOutOfTheCache() throws Exception {
    CoalescingCache cache = cache(CacheSettings.defaults(), queued);
    java.util.concurrent.CountDownLatch inLoader = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread reader = new Thread(() -> cache.get("k", String.class, () -> {
      inLoader.countDown();
      release.await(10, java.util.concurrent.TimeUnit.SECONDS);
      return "read before the update";
    }));
    reader.start();
    assertThat(inLoader.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the reader is loading").isTrue();
    cache.evict("k");
    release.countDown();
    reader.join(5_000);
    assertThat(cache.get("k", String.class, () -> "after the update")).isEqualTo("after the update");
  }

  @Test
  void getAsyncJoinsTheSameFlightAndDeliversFailuresThroughTheFuture() throws Exception {
    CoalescingCache cache = cache(CacheSettings.builder().staleIfError(false).build(), queued);
    var pending = new java.util.concurrent.CompletableFuture<String>();
    AtomicInteger loads = new AtomicInteger();
    var first = cache.<String>getAsync("k", String.class, () -> {
      loads.incrementAndGet();
      return pending;
    });
    var second = cache.<String>getAsync("k", String.class, () -> {
      loads.incrementAndGet();
      return java.util.concurrent.CompletableFuture.completedFuture("other");
    });
    runQueued(); // the leader's work (Redis, lock, bulkhead) runs on the refresh executor, not the caller's thread
    first.cancel(true); // a caller giving up does not cancel the shared load
    pending.complete("v");
    runQueued(); // the load's outcome is settled (and written back) on the refresh executor too
    assertThat(second).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("v");
    assertThat(loads.get()).isEqualTo(1);

    IllegalStateException failure = new IllegalStateException("boom");
    var failed = cache.<String>getAsync("other", String.class,
        () -> java.util.concurrent.CompletableFuture.failedFuture(failure));
    runQueued();
    assertThat(failed).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCause(failure);
  }

  @Test
  void aStaleReadThatRacesAFinishedLoadStartsNoSecondRefresh() {
    CacheSettings settings = CacheSettings.builder().ttl(Duration.ofMinutes(1)).jitter(0)
        .staleTtl(Duration.ofMinutes(10)).earlyRefreshBeta(0).build();
    CaffeineLocalTier l1 = CaffeineLocalTier.create(100, clock);
    // The reader saw the stale entry; by the time it starts its refresh, the previous refresh has
    // already stored a fresh one (the interleaving a slow reader thread meets in production).
    CacheEntry[] seenByReader = new CacheEntry[1];
    LocalTier readerLagsBehind = new LocalTier() {
      @Override
      public CacheEntry get(Object key, long now) {
        CacheEntry seen = seenByReader[0];
        seenByReader[0] = null;
        return seen != null ? seen : l1.get(key, now);
      }

      @Override
      public boolean put(Object key, CacheEntry entry, long version, long dataVersion, long retainUntil) {
        return l1.put(key, entry, version, dataVersion, retainUntil);
      }

      @Override
      public void written(Object key, long version, long retainUntil) {
        l1.written(key, version, retainUntil);
      }

      @Override
      public void dropUpTo(Object key, long version) {
        l1.dropUpTo(key, version);
      }

      @Override
      public long version(Object key) {
        return l1.version(key);
      }

      @Override
      public boolean remove(Object key, CacheEntry entry) {
        return l1.remove(key, entry);
      }

      @Override
      public void evict(Object key) {
        l1.evict(key);
      }

      @Override
      public void clear() {
        l1.clear();
      }

      @Override
      public long size() {
        return l1.size();
      }
    };
    CoalescingCache cache = CoalescingCacheBuilder.named("products").settings(settings).clock(clock)
        .listener(listener).refreshExecutor(queued).localTier(readerLagsBehind).build();
    AtomicInteger loads = new AtomicInteger();
    cache.get("k", String.class, () -> "v" + loads.incrementAndGet());
    CacheEntry first = l1.get("k", clock.millis());
    clock.advance(Duration.ofMinutes(2)); // stale
    cache.get("k", String.class, () -> "v" + loads.incrementAndGet());
    refreshes.poll().run(); // the first stale read's refresh stores v2
    assertThat(loads.get()).isEqualTo(2);

    seenByReader[0] = first; // a reader that read before that refresh finished
    assertThat(cache.get("k", String.class, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");

    assertThat(refreshes).isEmpty();
    assertThat(listener.count(RefreshTrigger.STALE)).isEqualTo(1);
    assertThat(cache.get("k", String.class, () -> "v" + loads.incrementAndGet())).isEqualTo("v2");
    assertThat(cache.inFlight()).isZero();
  }
}
