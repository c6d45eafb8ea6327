package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.local.CaffeineLocalTier;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A put or evict that returned is never undone by a load that read before it. */
class WritesTest {

  final FakeRemoteTier remote = new FakeRemoteTier();
  final ExecutorService callers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    callers.shutdownNow();
  }

  @Test
  void anEvictAfterALoadOutlivedLoadTimeoutIsNotUndone() throws Exception {
    CoalescingCache cache = CoalescingCacheBuilder.named("c").remoteTier(remote)
        .settings(CacheSettings.builder().lock(l -> l.withEnabled(false)).loadTimeout(Duration.ofMillis(100)).build())
        .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).build();
    CountDownLatch readOld = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> cache.get("k", String.class, () -> {
      readOld.countDown();
      release.await(10, TimeUnit.SECONDS);
      return "old";
    }), callers);
    readOld.await(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> cache.get("k", String.class, () -> "never")).isInstanceOf(LoadTimeoutException.class);

    cache.evict("k"); // the load left the in-flight map when its follower timed out: still superseded
    release.countDown();
    assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("old");

    assertThat(remote.values).doesNotContainKey("k");
    assertThat(cache.get("k", String.class, () -> "new")).isEqualTo("new");
  }

  @Test
  void aPutSupersedesALoadUnderWayHere() throws Exception {
    CoalescingCache cache = CoalescingCacheBuilder.named("c").remoteTier(remote)
        .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).build();
    CountDownLatch reading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> slow = CompletableFuture.supplyAsync(() -> cache.get("k", String.class, () -> {
      reading.countDown();
      release.await(10, TimeUnit.SECONDS);
      return "old";
    }), callers);
    reading.await(10, TimeUnit.SECONDS);
    cache.put("k", "new");
    release.countDown();
    assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("old");
    assertThat(remote.values.get("k").value()).isEqualTo("new");
    assertThat(cache.get("k", String.class, () -> "reloaded")).isEqualTo("new");
  }

  /**
   * A read that starts here after a put or evict of this instance superseded the loads under way,
   * but reads Redis before the write reaches it, holds the old value; it must not store it in L1
   * after the write's own L1 update (this instance ignores its own invalidation message, so nothing
   * would drop it until {@code local.ttl}). Found by the torture test, 1 run in about 200.
   */
  @Test
  @SuppressWarnings("unchecked")
  void aReadThatStartsWhileAWriteHereIsOnItsWayToRedisDoesNotUndoIt() throws Exception {
    for (boolean evict : new boolean[] {true, false}) {
      FakeRemoteTier tier = new FakeRemoteTier();
      CoalescingCache cache = CoalescingCacheBuilder.named("c").remoteTier(tier)
          .settings(CacheSettings.builder().lock(l -> l.withEnabled(false)).build())
          .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).build();
      long now = System.currentTimeMillis();
      tier.values.put("k", new CacheEntry("old", now, now + 60_000, now + 60_000, 0));
      CountDownLatch readOld = new CountDownLatch(1);
      CountDownLatch written = new CountDownLatch(1);
      tier.beforeReadAnswers = () -> {
        readOld.countDown();
        await(written);
      };
      CompletableFuture<String>[] reader = new CompletableFuture[1];
      tier.beforeWrite = () -> {
        tier.beforeWrite = () -> {};
        reader[0] = CompletableFuture.supplyAsync(() -> cache.get("k", String.class, () -> "loaded"), callers);
        await(readOld); // it read "old" in the shared tier, before the write took effect there
      };
      if (evict) {
        cache.evict("k");
      } else {
        cache.put("k", "new");
      }
      tier.beforeReadAnswers = () -> {};
      written.countDown(); // the write has returned; the read goes on to store what it read
      assertThat(reader[0].get(10, TimeUnit.SECONDS)).isEqualTo("old"); // its own answer, read before the write

      String expected = evict ? "loaded" : "new";
      assertThat(cache.get("k", String.class, () -> "loaded")).as(evict ? "after the evict" : "after the put")
          .isEqualTo(expected);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Test
  void theDelayedSecondDeleteRunsEvenWhenTheRefreshPoolIsFull() throws Exception {
    Executor full = task -> {
      throw new RejectedExecutionException("pool full");
    };
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    try {
      CoalescingCache cache = CoalescingCacheBuilder.named("c").remoteTier(remote).refreshExecutor(full)
          .scheduler(scheduler).settings(CacheSettings.builder().evictDelay(Duration.ofSeconds(2)).build())
          .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).build();
      cache.evict("k");
      assertThat(remote.evicts.get()).isEqualTo(1);
      assertThat(scheduler.getQueue()).hasSize(1);
      assertThat(((java.util.concurrent.Delayed) scheduler.getQueue().peek()).getDelay(TimeUnit.MILLISECONDS))
          .isBetween(1L, 2_000L);

      ScheduledTasks.runNow(scheduler);
      assertThat(remote.evicts.get()).as("first delete and the delayed second one").isEqualTo(2);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void getAsyncReturnsAtOnceWhileItsRedisReadIsUnderWay() throws Exception {
    CountDownLatch redisAnswers = new CountDownLatch(1);
    remote.duringRead = () -> {
      try {
        redisAnswers.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    AtomicInteger loads = new AtomicInteger();
    CoalescingCache cache = CoalescingCacheBuilder.named("c").remoteTier(remote).refreshExecutor(callers)
        .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).build();

    CompletableFuture<Object> value = cache.getAsync("k", String.class,
        () -> CompletableFuture.completedFuture("v" + loads.incrementAndGet()));

    assertThat(value).isNotDone(); // returned while the Redis read is still blocked
    redisAnswers.countDown();
    assertThat(value.get(10, TimeUnit.SECONDS)).isEqualTo("v1");
  }
}
