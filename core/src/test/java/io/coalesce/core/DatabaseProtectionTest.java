package io.coalesce.core;

import io.coalesce.test.TestClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.local.CaffeineLocalTier;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** The load bulkhead and the bound on stale-if-error: what protects the database in a storm. */
class DatabaseProtectionTest {

  private static CoalescingCache cache(CacheSettings settings, Clock clock) {
    return CoalescingCacheBuilder.named("products").settings(settings).clock(clock)
        .localTier(CaffeineLocalTier.create(100_000, clock)).build();
  }

  @RepeatedTest(3)
  void aBulkheadOfFourKeepsAThousandColdKeysToFourConcurrentLoads() throws Exception {
    CoalescingCache cache = cache(CacheSettings.builder().bulkhead(p -> p.withMaxConcurrentLoads(4))
        .bulkhead(p -> p.withMaxWait(Duration.ofSeconds(60))).loadTimeout(Duration.ofSeconds(60)).build(), Clock.systemUTC());
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    AtomicInteger loads = new AtomicInteger();
    int keys = 1_000;
    ExecutorService pool = Executors.newFixedThreadPool(keys);
    CountDownLatch ready = new CountDownLatch(keys);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < keys; i++) {
        int key = i;
        results.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          return cache.get(key, String.class, () -> {
            int now = running.incrementAndGet();
            mostAtOnce.accumulateAndGet(now, Math::max);
            loads.incrementAndGet();
            Thread.sleep(1);
            running.decrementAndGet();
            return "v" + key;
          });
        }));
      }
      ready.await();
      go.countDown();
      for (int i = 0; i < keys; i++) {
        assertThat(results.get(i).get(120, TimeUnit.SECONDS)).isEqualTo("v" + i);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(loads.get()).isEqualTo(keys);
    assertThat(mostAtOnce.get()).isEqualTo(4);
  }

  @Test
  void aLoadThatFindsTheBulkheadFullFailsWithAClearExceptionAndFreesNothingItDidNotTake() throws Exception {
    CoalescingCache cache = cache(CacheSettings.builder().bulkhead(p -> p.withMaxConcurrentLoads(1))
        .bulkhead(p -> p.withMaxWait(Duration.ofMillis(50))).staleIfError(false).build(), Clock.systemUTC());
    CountDownLatch inLoader = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder = new Thread(() -> cache.get("a", String.class, () -> {
      inLoader.countDown();
      release.await();
      return "a";
    }));
    holder.start();
    assertThat(inLoader.await(10, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> cache.get("b", String.class, () -> "b"))
        .isInstanceOf(LoadRejectedException.class)
        .hasMessageContaining("Cache 'products' already runs 1 loads");

    release.countDown();
    holder.join(10_000);
    assertThat(cache.get("b", String.class, () -> "b")).isEqualTo("b"); // the slot came back
    assertThat(cache.get("a", String.class, () -> "again")).isEqualTo("a");
  }

  @Test
  void staleIfErrorServesAnOldValueOnlyWithinItsMaxAge() {
    TestClock clock = new TestClock();
    CoalescingCache cache = cache(CacheSettings.builder().ttl(Duration.ofMinutes(1)).jitter(0)
        .earlyRefreshBeta(0).staleIfError(true).staleIfErrorMaxAge(Duration.ofMinutes(5)).build(), clock);
    IllegalStateException databaseDown = new IllegalStateException("database down");
    assertThat(cache.get("k", String.class, () -> "v1")).isEqualTo("v1");

    clock.advance(Duration.ofMinutes(4)); // 3 min past ttl: within the bound
    assertThat(cache.get("k", String.class, () -> {
      throw databaseDown;
    })).isEqualTo("v1");

    clock.advance(Duration.ofMinutes(3)); // 6 min past ttl: too old to serve
    assertThatThrownBy(() -> cache.get("k", String.class, () -> {
      throw databaseDown;
    })).isSameAs(databaseDown);
  }

  @Test
  void withNoOldValueTheLoadersExceptionReachesTheCallerUnchanged() {
    CoalescingCache cache = cache(CacheSettings.builder().staleIfError(true).build(), new TestClock());
    java.io.IOException failure = new java.io.IOException("no route to database");
    assertThatThrownBy(() -> cache.get("k", String.class, () -> {
      throw failure;
    })).isSameAs(failure);
  }
}
