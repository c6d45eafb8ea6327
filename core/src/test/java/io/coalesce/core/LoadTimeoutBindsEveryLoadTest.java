package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.core.CacheListener.LoadOutcome;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code load-timeout} binds every load, its leader included, synchronous or not: no loader that
 * hangs keeps its callers, its flight or its bulkhead slot past it (issue 25, defect 4). The timers
 * run when the test says so ({@link ScheduledTasks#runNow}), never by sleeping.
 */
class LoadTimeoutBindsEveryLoadTest {

  final TestClock clock = new TestClock();
  /** Counts every event, and opens {@link #joined} when a caller joins another's load. */
  final CountDownLatch joined = new CountDownLatch(1);
  final RecordingListener listener = new RecordingListener() {
    @Override
    public void onCoalesced() {
      super.onCoalesced();
      joined.countDown();
    }
  };
  final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
  final ExecutorService callers = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
    callers.shutdownNow();
  }

  CoalescingCache cache(int maxConcurrentLoads) {
    return CoalescingCacheBuilder.named("items").clock(clock).scheduler(scheduler).listener(listener)
        .refreshExecutor(Runnable::run)
        .settings(CacheSettings.builder().loadTimeout(Duration.ofMillis(300))
            .bulkhead(b -> b.withMaxConcurrentLoads(maxConcurrentLoads).withMaxWait(Duration.ZERO)).build())
        .localTier(CaffeineLocalTier.create(100, clock)).build();
  }

  @Test
  void asyncLoadsThatNeverCompleteGiveTheirBulkheadSlotsBackAtLoadTimeout() {
    CoalescingCache cache = cache(2);
    CompletableFuture<String> hung1 = cache.getAsync("a", String.class, CompletableFuture::new);
    CompletableFuture<String> hung2 = cache.getAsync("b", String.class, CompletableFuture::new);
    assertThat(cache.getAsync("c", String.class, () -> CompletableFuture.completedFuture("c")))
        .as("both slots are held").failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
        .withCauseInstanceOf(LoadRejectedException.class);

    ScheduledTasks.runNow(scheduler); // load-timeout has passed

    assertThat(hung1).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withCauseInstanceOf(LoadTimeoutException.class);
    assertThat(hung2).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withCauseInstanceOf(LoadTimeoutException.class);
    assertThat(cache.getAsync("c", String.class, () -> CompletableFuture.completedFuture("c")))
        .as("a slot is free again").succeedsWithin(5, TimeUnit.SECONDS).isEqualTo("c");
    assertThat(listener.count(LoadOutcome.TIMEOUT)).isEqualTo(2);
  }

  @Test
  void aSynchronousLoadThatHangsReleasesItsFollowersAndItsSlotAndStillGivesItsLeaderItsValue() throws Exception {
    CoalescingCache cache = cache(1);
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> leader = CompletableFuture.supplyAsync(() -> cache.get("k", String.class, () -> {
      loading.countDown();
      release.await(10, TimeUnit.SECONDS);
      return "late";
    }), callers);
    loading.await(10, TimeUnit.SECONDS);
    CompletableFuture<String> follower = CompletableFuture.supplyAsync(
        () -> cache.get("k", String.class, () -> "never"), callers);
    assertThat(joined.await(10, TimeUnit.SECONDS)).isTrue();

    ScheduledTasks.runNow(scheduler); // load-timeout has passed

    assertThatThrownBy(() -> follower.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(LoadTimeoutException.class);
    assertThat(cache.get("other", String.class, () -> "other")).as("its slot is free").isEqualTo("other");
    assertThat(cache.get("k", String.class, () -> "next")).as("the next caller loads on its own").isEqualTo("next");
    release.countDown();
    assertThat(leader.get(10, TimeUnit.SECONDS)).as("the leader's thread ran its loader: it gets its value")
        .isEqualTo("late");
  }

  /**
   * A synchronous follower that waited {@code load-timeout} for a flight whose timer was not armed yet
   * (an asynchronous lead still queued on a busy executor; a leader thread descheduled between leading
   * and arming) does what the timer would have done: the timeout is recorded and the flight is no
   * longer joinable, so the next caller loads instead of waiting {@code load-timeout} again. Before,
   * the follower gave up and left the flight as it was (seen as a flaky CacheMetricsTest: a success
   * recorded where the timeout belonged).
   */
  @Test
  void aFollowerThatTimesOutBeforeTheLeaderArmedItsTimerStillEndsTheFlight() {
    Queue<Runnable> queued = new ArrayDeque<>();
    CoalescingCache cache = CoalescingCacheBuilder.named("items").clock(clock).scheduler(scheduler)
        .listener(listener).refreshExecutor(queued::add)
        .settings(CacheSettings.builder().loadTimeout(Duration.ofMillis(300))
            .bulkhead(b -> b.withMaxConcurrentLoads(1).withMaxWait(Duration.ZERO)).build())
        .localTier(CaffeineLocalTier.create(100, clock)).build();
    CompletableFuture<String> asyncLeader = cache.getAsync("k", String.class,
        () -> CompletableFuture.completedFuture("from the queued lead"));
    assertThat(queued).as("its lead, which arms the timer, waits in the executor's queue").hasSize(1);

    assertThatThrownBy(() -> cache.get("k", String.class, () -> "never")).isInstanceOf(LoadTimeoutException.class);

    assertThat(listener.count(LoadOutcome.TIMEOUT)).isEqualTo(1);
    assertThat(asyncLeader).failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
        .withCauseInstanceOf(LoadTimeoutException.class);
    assertThat(cache.get("k", String.class, () -> "next")).as("the next caller loads on its own").isEqualTo("next");
    queued.poll().run(); // the late lead: its outcome is not recorded a second time
    assertThat(listener.count(LoadOutcome.TIMEOUT)).isEqualTo(1);
    assertThat(listener.count(LoadOutcome.SUCCESS)).isEqualTo(1);
  }

  @Test
  void aLateValueOfATimedOutLoadIsStoredUnlessAWriteCameMeanwhile() {
    CoalescingCache cache = cache(0);
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    cache.getAsync("stored", String.class, () -> first);
    cache.getAsync("written", String.class, () -> second);
    ScheduledTasks.runNow(scheduler);

    cache.put("written", "put after the load started");
    first.complete("late");
    second.complete("late");

    assertThat(cache.get("stored", String.class, () -> "reloaded")).isEqualTo("late");
    assertThat(cache.get("written", String.class, () -> "reloaded")).isEqualTo("put after the load started");
  }

  /**
   * A refresh the executor rejects ends before its load started; a caller that joined it meanwhile
   * (its L1 held nothing: evicted by size, say) starts a load of its own instead of receiving the
   * executor's exception (issue 25, defect 8).
   */
  @Test
  void aCallerThatJoinedARefreshThePoolRejectedIsServedAndNeverSeesTheRejection() throws Exception {
    CaffeineLocalTier l1 = CaffeineLocalTier.create(100, clock);
    ThreadLocal<Boolean> holdsNothing = ThreadLocal.withInitial(() -> false);
    CoalescingCache[] cache = new CoalescingCache[1];
    CompletableFuture<String>[] joiner = new CompletableFuture[1];
    boolean[] full = {false};
    cache[0] = CoalescingCacheBuilder.named("items").clock(clock).scheduler(scheduler).listener(listener)
        .refreshExecutor(task -> {
          if (!full[0]) {
            task.run();
            return;
          }
          joiner[0] = CompletableFuture.supplyAsync(() -> {
            holdsNothing.set(true);
            return cache[0].get("k", String.class, () -> "loaded by the joiner");
          }, callers);
          joiner[0].join(); // it joined the refresh, which is about to be rejected
          throw new java.util.concurrent.RejectedExecutionException("pool full");
        })
        .settings(CacheSettings.builder().ttl(Duration.ofMinutes(1)).jitter(0).staleTtl(Duration.ofMinutes(1))
            .earlyRefreshBeta(0).build())
        .localTier(new ForwardingLocalTier(l1) {
          @Override
          public CacheEntry get(Object key, long now) {
            return holdsNothing.get() ? null : super.get(key, now);
          }
        }).build();
    cache[0].get("k", String.class, () -> "v1");
    clock.advance(Duration.ofSeconds(90)); // stale
    full[0] = true;

    assertThat(cache[0].get("k", String.class, () -> "v2")).isEqualTo("v1"); // served stale; its refresh is rejected

    // A caller that joins a refresh is served the value it refreshes (JoinedRefreshTest), so it neither
    // waits for the rejected refresh nor sees the executor's exception.
    assertThat(joiner[0].get(10, TimeUnit.SECONDS)).isEqualTo("v1");
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
}
