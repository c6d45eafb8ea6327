package io.coalesce.metrics;

import io.coalesce.test.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheBuilder;
import io.coalesce.core.LoadTimeoutException;
import io.coalesce.core.PenetrationGuard;
import io.coalesce.local.CaffeineLocalTier;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import io.coalesce.test.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A scripted sequence of hits, misses, loads, failures, a timeout, coalesced callers and refreshes
 * against one cache bound to a {@link SimpleMeterRegistry}: every pinned meter is there with the
 * pinned tags, and each count is exactly what the script did.
 */
class CacheMetricsTest {


  final MeterRegistry registry = new SimpleMeterRegistry();
  final TestClock clock = new TestClock();
  final Queue<Runnable> refreshes = new ArrayDeque<>();
  final ExecutorService callers = Executors.newFixedThreadPool(10);

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  CoalescingCache cache(CacheSettings settings) {
    CacheInstrumentation instrumentation = new MicrometerCacheInstrumentation(registry);
    CaffeineLocalTier l1 = CaffeineLocalTier.create(1_000, clock, instrumentation.recordsLocalStatistics());
    CoalescingCache cache = CoalescingCacheBuilder.named("products").settings(settings).clock(clock)
        .localTier(l1).listener(instrumentation.listener("products")).refreshExecutor(refreshes::add)
        .build();
    instrumentation.bind(cache, l1.nativeCache());
    return cache;
  }

  double count(String meter, String tag, String value) {
    return registry.get(meter).tag("cache", "products").tag(tag, value).counter().count();
  }

  long loads(String outcome) {
    return registry.get("coalesce.loads").tag("cache", "products").tag("outcome", outcome).timer().count();
  }

  @Test
  void everyPinnedMeterCountsExactlyWhatTheCacheDid() throws Exception {
    CoalescingCache cache = cache(CacheSettings.builder().ttl(Duration.ofMinutes(1)).jitter(0)
        .staleTtl(Duration.ofMinutes(10)).earlyRefreshBeta(0).nullTtl(Duration.ofMinutes(1))
        .loadTimeout(Duration.ofMillis(300)).staleIfError(false).build());

    // Registered up front: a dashboard sees zeros, not gaps.
    for (String result : List.of("l1_hit", "l2_hit", "stale", "miss", "bloom_rejected")) {
      assertThat(count("coalesce.gets", "result", result)).isZero();
    }

    cache.get("a", String.class, () -> "A");                        // miss + success
    for (int i = 0; i < 3; i++) {
      cache.get("a", String.class, () -> "never");                  // 3 l1_hit
    }
    cache.get("none", String.class, () -> null);                    // miss + null
    cache.get("none", String.class, () -> "never");                 // l1_hit (null cached)
    assertThatThrownBy(() -> cache.get("bad", String.class, () -> {  // miss + failure
      throw new IllegalStateException("database down");
    })).hasMessage("database down");

    // 10 callers of one cold key: 1 leader, 9 coalesced followers; the gauge sees the load.
    CountDownLatch release = new CountDownLatch(1);
    List<Future<String>> shared = IntStream.range(0, 10).mapToObj(i -> callers.submit(() ->
        cache.get("c", String.class, () -> {
          release.await(10, TimeUnit.SECONDS);
          return "C";
        }))).toList();
    Await.until(() -> registry.get("coalesce.coalesced").tag("cache", "products").counter().count() == 9);
    assertThat(registry.get("coalesce.inflight").tag("cache", "products").gauge().value()).isEqualTo(1);
    release.countDown();
    for (Future<String> f : shared) {
      assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("C");
    }
    assertThat(registry.get("coalesce.inflight").tag("cache", "products").gauge().value()).isZero();

    // A load that outlives load-timeout: its follower gives up, the timeout is recorded once.
    CountDownLatch hang = new CountDownLatch(1);
    Future<String> stuck = callers.submit(() -> cache.get("slow", String.class, () -> {
      hang.await(10, TimeUnit.SECONDS);
      return "S";
    }));
    Await.until(() -> cache.inFlight() == 1);
    assertThatThrownBy(() -> cache.get("slow", String.class, () -> "never"))
        .isInstanceOf(LoadTimeoutException.class);                  // miss + coalesced
    // The flight's timer may have fired just before this caller's own wait ended: it records the
    // timeout on the scheduler's thread, and a load that ended before that would be recorded first.
    Await.until(() -> loads("timeout") == 1);
    hang.countDown();
    stuck.get(10, TimeUnit.SECONDS);      // the leader gets its value; the load stays recorded as timeout

    // Past ttl: stale served, one refresh queued and run.
    clock.advance(Duration.ofMinutes(2));
    assertThat(cache.get("a", String.class, () -> "A2")).isEqualTo("A"); // stale
    refreshes.poll().run();                                          // success

    assertThat(count("coalesce.gets", "result", "miss")).isEqualTo(1 + 1 + 1 + 10 + 2);
    assertThat(count("coalesce.gets", "result", "l1_hit")).isEqualTo(4);
    assertThat(count("coalesce.gets", "result", "stale")).isEqualTo(1);
    assertThat(count("coalesce.gets", "result", "l2_hit")).isZero();
    assertThat(count("coalesce.gets", "result", "bloom_rejected")).isZero();
    assertThat(registry.get("coalesce.coalesced").tag("cache", "products").counter().count()).isEqualTo(10);
    assertThat(loads("success")).isEqualTo(3); // a, c, the refresh of a (one record per load)
    assertThat(loads("null")).isEqualTo(1);
    assertThat(loads("failure")).isEqualTo(1);
    assertThat(loads("timeout")).isEqualTo(1);
    assertThat(count("coalesce.refreshes", "trigger", "stale")).isEqualTo(1);
    assertThat(count("coalesce.refreshes", "trigger", "early")).isZero();
    for (String result : List.of("acquired", "contended", "waited", "gave_up")) {
      assertThat(count("coalesce.lock", "result", result)).isZero(); // no shared tier here
    }

    // The L1 as Spring Boot's standard cache meters.
    assertThat(registry.get("cache.gets").tag("cache", "products").tag("cache.manager", "coalesce")
        .tag("result", "hit").functionCounter().count()).isGreaterThan(0);
    assertThat(registry.get("cache.size").tag("cache", "products").gauge().value()).isPositive();
  }

  /**
   * The endpoint's {@code hitRatio} is the documented one: (l1_hit + l2_hit + stale) / all gets. A
   * Bloom rejection answers without a value from the cache, so it is not a hit; a cache with no hit
   * at all reads 0.
   */
  @Test
  void theEndpointsHitRatioIsTheDocumentedFormula() {
    java.util.Set<String> existing = java.util.Set.of("a", "b");
    PenetrationGuard guard = new PenetrationGuard() {
      @Override
      public boolean mightContain(String key) {
        return existing.contains(key);
      }

      @Override
      public void add(String key) {}
    };
    CacheInstrumentation instrumentation = new MicrometerCacheInstrumentation(registry);
    CaffeineLocalTier l1 = CaffeineLocalTier.create(1_000, clock, instrumentation.recordsLocalStatistics());
    CoalescingCache cache = CoalescingCacheBuilder.named("products").settings(CacheSettings.builder()
            .ttl(Duration.ofMinutes(1)).jitter(0).earlyRefreshBeta(0).build())
        .clock(clock).localTier(l1).penetrationGuard(guard).listener(instrumentation.listener("products"))
        .refreshExecutor(refreshes::add).build();
    CacheStatistics statistics = new MicrometerCacheStatistics(registry);

    for (int i = 0; i < 5; i++) {
      cache.get("x" + i, String.class, () -> "never");              // 5 bloom_rejected
    }
    cache.get("a", String.class, () -> "A");                        // 1 miss
    assertThat(statistics.of("products").get("hitRatio")).isEqualTo(0.0);

    for (int i = 0; i < 4; i++) {
      cache.get("a", String.class, () -> "never");                  // 4 l1_hit
    }
    cache.get("b", String.class, () -> "B");                        // 1 miss

    double documented = (count("coalesce.gets", "result", "l1_hit") + count("coalesce.gets", "result", "l2_hit")
        + count("coalesce.gets", "result", "stale"))
        / List.of("l1_hit", "l2_hit", "stale", "miss", "bloom_rejected").stream()
            .mapToDouble(result -> count("coalesce.gets", "result", result)).sum();
    assertThat(documented).isEqualTo(4.0 / 11);
    assertThat(statistics.of("products").get("hitRatio")).isEqualTo(documented);
  }

  @Test
  void withoutARegistryTheCacheRecordsNothingAndTheL1KeepsNoStatistics() {
    assertThat(CacheInstrumentation.NONE.recordsLocalStatistics()).isFalse();
    CaffeineLocalTier l1 = CaffeineLocalTier.create(10, clock, false);
    CoalescingCache cache = CoalescingCacheBuilder.named("plain").localTier(l1)
        .listener(CacheInstrumentation.NONE.listener("plain")).build();
    cache.get("a", String.class, () -> "A");
    cache.get("a", String.class, () -> "A");
    assertThat(l1.nativeCache().stats().hitCount()).isZero();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void meterNamesAndTagKeysAreThePinnedOnes() {
    cache(CacheSettings.defaults());
    assertThat(registry.getMeters().stream().map(Meter::getId)
        .filter(id -> id.getName().startsWith("coalesce."))
        .map(id -> id.getName() + id.getTags().stream().map(t -> t.getKey()).sorted().toList())
        .distinct().sorted())
        .containsExactly(
            "coalesce.coalesced[cache]",
            "coalesce.gets[cache, result]",
            "coalesce.hot.key.share[by, cache]",
            "coalesce.inflight[cache]",
            "coalesce.l1.drift[cache]",
            "coalesce.loads[cache, outcome]",
            "coalesce.lock[cache, result]",
            "coalesce.refreshes[cache, trigger]",
            "coalesce.stale.served.on.error[cache]");
  }

}
