package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.core.CacheListener.GetResult;
import io.coalesce.core.CacheListener.LoadOutcome;
import io.coalesce.local.CaffeineLocalTier;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** In-process single flight: one load per cold key, its outcome shared, nothing left behind. */
class SingleFlightTest {

  static final int THREADS = 200;

  final RecordingListener listener = new RecordingListener();

  CoalescingCache cache(CacheSettings settings) {
    return CoalescingCacheBuilder.named("products").settings(settings).listener(listener)
        .localTier(CaffeineLocalTier.create(100_000, Clock.systemUTC())).build();
  }

  /** Runs {@code call} on THREADS threads released together; returns what each got or threw. */
  static List<Object> together(Callable<?> call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    CountDownLatch ready = new CountDownLatch(THREADS);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Object>> futures = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        futures.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          try {
            return call.call();
          } catch (Exception e) {
            return e;
          }
        }));
      }
      ready.await();
      go.countDown();
      List<Object> results = new ArrayList<>();
      for (Future<Object> f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** A loader that holds until every other caller has joined its flight, so all 200 overlap. */
  Callable<Object> loaderWaitingForFollowers(AtomicInteger calls, Object value) {
    return () -> {
      calls.incrementAndGet();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (listener.count("coalesced") < THREADS - 1 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      return value;
    };
  }

  @RepeatedTest(5)
  void twoHundredCallersOfOneColdKeyShareOneLoad() throws Exception {
    CoalescingCache cache = cache(CacheSettings.defaults());
    AtomicInteger calls = new AtomicInteger();
    Object value = new Object();

    List<Object> results = together(() -> cache.get("hot", Object.class, loaderWaitingForFollowers(calls, value)));

    assertThat(calls.get()).isEqualTo(1);
    assertThat(results).hasSize(THREADS).allSatisfy(r -> assertThat(r).isSameAs(value));
    assertThat(listener.count("coalesced")).isEqualTo(THREADS - 1);
    assertThat(listener.count(LoadOutcome.SUCCESS)).isEqualTo(1);
    assertThat(cache.inFlight()).isZero();
  }

  @RepeatedTest(5)
  void aFailingLoadGivesEveryFollowerTheSameExceptionAndCachesNothing() throws Exception {
    CoalescingCache cache = cache(CacheSettings.builder().staleIfError(false).build());
    AtomicInteger calls = new AtomicInteger();
    IllegalStateException failure = new IllegalStateException("database down");
    Callable<Object> waiting = loaderWaitingForFollowers(calls, null);

    List<Object> results = together(() -> cache.get("hot", Object.class, () -> {
      waiting.call();
      throw failure;
    }));

    assertThat(calls.get()).isEqualTo(1);
    assertThat(results).allSatisfy(r -> assertThat(r).isSameAs(failure));
    assertThat(listener.count(LoadOutcome.FAILURE)).isEqualTo(1);
    assertThat(cache.inFlight()).isZero();
    assertThat(cache.get("hot", String.class, () -> "recovered")).isEqualTo("recovered"); // loads again
  }

  @Test
  void followersOfALoadThatNeverReturnsGiveUpAfterLoadTimeoutAndNothingLeaks() throws Exception {
    CoalescingCache cache = cache(CacheSettings.builder().loadTimeout(Duration.ofMillis(200)).build());
    CountDownLatch never = new CountDownLatch(1);
    ExecutorService leader = Executors.newSingleThreadExecutor();
    try {
      Future<String> stuck = leader.submit(() -> cache.get("stuck", String.class, () -> {
        never.await();
        return "late";
      }));
      while (cache.inFlight() == 0) {
        Thread.sleep(1);
      }
      long start = System.nanoTime();
      assertThatThrownBy(() -> cache.get("stuck", String.class, () -> "other"))
          .isInstanceOf(LoadTimeoutException.class).hasMessageContaining("stuck");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(150);
      assertThat(listener.count(LoadOutcome.TIMEOUT)).isEqualTo(1);
      // No longer joinable: the next caller loads on its own instead of waiting for the stuck load...
      assertThat(cache.get("stuck", String.class, () -> "fresh")).isEqualTo("fresh");
      // ...which is still counted while it runs, and gone once it ends.
      assertThat(cache.inFlight()).isEqualTo(1);
      never.countDown();
      assertThat(stuck.get(5, TimeUnit.SECONDS)).isEqualTo("late");
      assertThat(cache.inFlight()).isZero();
      assertThat(listener.count(LoadOutcome.TIMEOUT)).isEqualTo(1);
    } finally {
      never.countDown();
      leader.shutdownNow();
    }
  }

  @Test
  void tenThousandKeysLoadedSucceedingOrFailingLeaveNoFlightBehind() throws Exception {
    CoalescingCache cache = cache(CacheSettings.builder().staleIfError(false).build());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < 10_000; i++) {
        int key = i;
        all.add(pool.submit(() -> {
          try {
            cache.get(key, Integer.class, () -> {
              if (key % 7 == 0) {
                throw new IllegalStateException("failed " + key);
              }
              return key;
            });
          } catch (IllegalStateException expected) {
            // every seventh key fails
          }
        }));
      }
      for (Future<?> f : all) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(cache.inFlight()).isZero();
    assertThat(listener.count(LoadOutcome.SUCCESS) + listener.count(LoadOutcome.FAILURE)).isEqualTo(10_000);
    assertThat(listener.count(GetResult.MISS)).isEqualTo(10_000);
  }

  @Test
  void anInterruptedFollowerLeavesWithoutCancellingTheLoadForTheOthers() throws Exception {
    CoalescingCache cache = cache(CacheSettings.defaults());
    CountDownLatch release = new CountDownLatch(1);
    Thread leader = new Thread(() -> cache.get("k", String.class, () -> {
      release.await();
      return "v";
    }));
    leader.start();
    while (cache.inFlight() == 0) {
      Thread.sleep(1);
    }
    AtomicInteger sawInterrupt = new AtomicInteger();
    Thread follower = new Thread(() -> {
      try {
        cache.get("k", String.class, () -> "second load");
      } catch (CoalesceException e) {
        if (Thread.currentThread().isInterrupted()) {
          sawInterrupt.incrementAndGet();
        }
      }
    });
    follower.start();
    while (listener.count("coalesced") == 0) {
      Thread.sleep(1);
    }
    follower.interrupt();
    follower.join(5_000);
    assertThat(sawInterrupt.get()).isEqualTo(1);

    release.countDown();
    leader.join(5_000);
    assertThat(cache.get("k", String.class, () -> "second load")).isEqualTo("v");
  }

  @Test
  void aLoadersOwnExecutionExceptionReachesEveryCallerUnchanged() throws Exception {
    CoalescingCache cache = cache(CacheSettings.builder().staleIfError(false).build());
    AtomicInteger calls = new AtomicInteger();
    ExecutionException thrown = new ExecutionException("remote call failed", new IllegalStateException("inner"));
    Callable<Object> waiting = loaderWaitingForFollowers(calls, null);

    List<Object> results = together(() -> cache.get("hot", Object.class, () -> {
      waiting.call();
      throw thrown;
    }));

    // Only the wrappers the futures add are removed: what the loader threw is what callers see.
    assertThat(calls.get()).isEqualTo(1);
    assertThat(results).allSatisfy(r -> assertThat(r).isSameAs(thrown));
    assertThatThrownBy(() -> cache.getAsync("async", Object.class,
        () -> CompletableFuture.failedFuture(thrown)).join())
        .isInstanceOf(CompletionException.class).cause().isSameAs(thrown);
  }

  /**
   * A caller that arrives once a load has failed starts a new load instead of receiving the old
   * failure: here the second read runs inside a follower's callback, while the failed flight's
   * callers are still being told (before the flight has left the map).
   */
  @Test
  void aReadAfterALoadFailedLoadsAgainInsteadOfJoiningTheFailedLoad() throws Exception {
    CoalescingCache cache = CoalescingCacheBuilder.named("products").settings(CacheSettings.builder()
            .staleIfError(false).build()).listener(listener).refreshExecutor(Runnable::run)
        .localTier(CaffeineLocalTier.create(100_000, Clock.systemUTC())).build();
    CompletableFuture<String> failing = new CompletableFuture<>();
    CompletableFuture<String> first = cache.getAsync("k", String.class, () -> failing);
    CompletableFuture<Object> second = new CompletableFuture<>();
    cache.<String>getAsync("k", String.class, () -> CompletableFuture.completedFuture("not this one"))
        .whenComplete((value, error) -> {
          try {
            second.complete(cache.get("k", String.class, () -> "loaded again"));
          } catch (Throwable t) {
            second.complete(t);
          }
        });

    failing.completeExceptionally(new IllegalStateException("database down"));

    assertThatThrownBy(first::join).hasCauseInstanceOf(IllegalStateException.class);
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("loaded again");
  }

  /**
   * Asynchronous callers of a load, its leader included, are released after {@code load-timeout} by
   * one timer for the load, on the cache's scheduler, however many join. (Followers used to arm one
   * timer each with {@code CompletableFuture.orTimeout}, on the JDK's shared timer, which on JDK 25
   * takes a lock of the common pool the first time it is used: BlockHound caught that on a reactive
   * subscriber's thread; and the leader was not bound at all.)
   */
  @Test
  void asyncCallersAreReleasedByOneTimerOnTheCachesScheduler() throws Exception {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    try {
      CoalescingCache cache = CoalescingCacheBuilder.named("products").scheduler(scheduler)
          .settings(CacheSettings.builder().loadTimeout(Duration.ofMinutes(10)).build())
          .listener(listener).refreshExecutor(Runnable::run)
          .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).build();
      CompletableFuture<String> never = new CompletableFuture<>();
      CompletableFuture<String> leader = cache.getAsync("stuck", String.class, () -> never);
      List<CompletableFuture<String>> followers = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        followers.add(cache.getAsync("stuck", String.class, () -> CompletableFuture.completedFuture("other")));
      }

      assertThat(scheduler.getQueue()).as("one timer for the load").hasSize(1);
      Delayed timer = (Delayed) scheduler.getQueue().peek();
      assertThat(timer.getDelay(TimeUnit.SECONDS)).isBetween(590L, 600L);
      assertThat(followers).noneMatch(CompletableFuture::isDone);
      assertThat(leader).isNotDone();

      ScheduledTasks.runNow(scheduler); // ten minutes have passed

      assertThat(followers).allSatisfy(f -> assertThatThrownBy(f::join)
          .cause().isInstanceOf(LoadTimeoutException.class).hasMessageContaining("stuck"));
      assertThatThrownBy(leader::join).as("the leader is bound too").cause().isInstanceOf(LoadTimeoutException.class);
      assertThat(listener.count(LoadOutcome.TIMEOUT)).isEqualTo(1);
      assertThat(cache.getAsync("stuck", String.class, () -> CompletableFuture.completedFuture("fresh")).join())
          .as("the next caller loads on its own").isEqualTo("fresh");
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void asyncFollowersOfALoadThatEndsInTimeGetItsValueAndItsTimerIsCancelled() throws Exception {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    try {
      CoalescingCache cache = CoalescingCacheBuilder.named("products").scheduler(scheduler)
          .listener(listener).refreshExecutor(Runnable::run)
          .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).build();
      CompletableFuture<String> slow = new CompletableFuture<>();
      cache.getAsync("k", String.class, () -> slow);
      CompletableFuture<String> follower = cache.getAsync("k", String.class, () -> CompletableFuture.completedFuture("x"));

      slow.complete("v");

      assertThat(follower.join()).isEqualTo("v");
      assertThat(scheduler.getQueue()).singleElement()
          .satisfies(timer -> assertThat(((Future<?>) timer).isCancelled()).isTrue());
      assertThat(listener.count(LoadOutcome.TIMEOUT)).isZero();
    } finally {
      scheduler.shutdownNow();
    }
  }
}
