package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A caller whose L1 copy was dropped while a background refresh of it runs (an invalidation, an
 * eviction) joins that refresh: it is served the value being refreshed, as every other caller is,
 * instead of waiting for the refresh (up to load-timeout, then failing). Seen in MultiInstanceIT:
 * one of 200 callers got a LoadTimeoutException while a held refresh ran.
 */
class JoinedRefreshTest {

  final TestClock clock = new TestClock();
  final FakeRemoteTier remote = new FakeRemoteTier();
  final ExecutorService pool = Executors.newFixedThreadPool(2);
  final ExecutorService callers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
    callers.shutdownNow();
  }

  CoalescingCache cache() {
    return CoalescingCacheBuilder.named("items").clock(clock).remoteTier(remote).refreshExecutor(pool)
        .settings(CacheSettings.builder().ttl(Duration.ofMinutes(1)).jitter(0).staleTtl(Duration.ofMinutes(10))
            .earlyRefreshBeta(0).loadTimeout(Duration.ofSeconds(5)).build())
        .localTier(CaffeineLocalTier.create(100, clock)).build();
  }

  @Test
  void aCallerThatJoinsARunningRefreshIsServedTheValueItRefreshes() throws Exception {
    CoalescingCache cache = cache();
    assertThat(cache.get("k", String.class, () -> "v1")).isEqualTo("v1");
    clock.advance(Duration.ofMinutes(2)); // stale, within stale-ttl
    CountDownLatch refreshHeld = new CountDownLatch(1);
    CountDownLatch refreshStarted = new CountDownLatch(1);
    assertThat(cache.get("k", String.class, () -> {
      refreshStarted.countDown();
      refreshHeld.await(30, TimeUnit.SECONDS);
      return "v2";
    })).as("served stale, one refresh starts").isEqualTo("v1");
    assertThat(refreshStarted.await(5, TimeUnit.SECONDS)).isTrue();
    remote.invalidations.loaded("k", Long.MAX_VALUE - 1); // the L1 copy is dropped; the refresh goes on
    try {
      CompletableFuture<String> sync = CompletableFuture.supplyAsync(
          () -> cache.get("k", String.class, () -> "v3"), callers);
      CompletableFuture<String> async = cache.getAsync("k", String.class,
          () -> CompletableFuture.completedFuture("v3"));

      assertThat(sync).succeedsWithin(1, TimeUnit.SECONDS).isEqualTo("v1");
      assertThat(async).succeedsWithin(1, TimeUnit.SECONDS).isEqualTo("v1");
    } finally {
      refreshHeld.countDown();
    }
  }
}
