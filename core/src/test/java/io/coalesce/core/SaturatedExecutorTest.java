package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.core.CacheListener.LoadOutcome;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What an asynchronous caller gets when Coalesce's executor is saturated: never work done on its own
 * thread (it may be an event loop), but a rejection it can retry, or, for a load that already ran, its
 * value without a Redis call.
 */
class SaturatedExecutorTest {

  final TestClock clock = new TestClock();
  final FakeRemoteTier remote = new FakeRemoteTier();
  final RecordingListener listener = new RecordingListener();
  final AtomicBoolean full = new AtomicBoolean();
  final Executor saturable = task -> {
    if (full.get()) {
      throw new RejectedExecutionException("all threads busy, queue full");
    }
    task.run();
  };

  CoalescingCache cache() {
    return CoalescingCacheBuilder.named("items").clock(clock).remoteTier(remote).listener(listener)
        .refreshExecutor(saturable).localTier(CaffeineLocalTier.create(100, clock)).build();
  }

  @Test
  void anAsynchronousLeadTheExecutorCannotTakeIsRejectedNotRunOnTheCallersThread() {
    CoalescingCache cache = cache();
    full.set(true);
    AtomicBoolean loaded = new AtomicBoolean();
    int reads = remote.reads.get();

    CompletableFuture<String> value = cache.getAsync("k", String.class, () -> {
      loaded.set(true);
      return CompletableFuture.completedFuture("v");
    });

    assertThat(value).failsWithin(1, TimeUnit.SECONDS).withThrowableThat()
        .withCauseInstanceOf(LoadRejectedException.class).withMessageContaining("coalesce.refresh");
    assertThat(loaded).as("the loader never ran on the caller's thread").isFalse();
    assertThat(remote.reads.get()).as("no Redis call on the caller's thread").isEqualTo(reads);
    assertThat(listener.count(LoadOutcome.FAILURE)).isEqualTo(1);

    full.set(false);
    assertThat(cache.getAsync("k", String.class, () -> CompletableFuture.completedFuture("v")))
        .as("the next caller, once there is room, loads").succeedsWithin(1, TimeUnit.SECONDS).isEqualTo("v");
  }

  @Test
  void aLoadThatCompletesWhileTheExecutorIsFullIsServedAndKeptInL1WithoutARedisCall() {
    CoalescingCache cache = cache();
    CompletableFuture<String> loader = new CompletableFuture<>();
    CompletableFuture<String> value = cache.getAsync("k", String.class, () -> loader);
    int writeBacks = remote.writeBacks.get();
    full.set(true); // the loader completes on a thread of its own (a driver's), with the pool full

    loader.complete("v");

    assertThat(value).succeedsWithin(1, TimeUnit.SECONDS).isEqualTo("v");
    assertThat(remote.writeBacks.get()).as("not written back from the thread that completed the load")
        .isEqualTo(writeBacks);
    assertThat(cache.get("k", String.class, () -> "reloaded")).as("kept in L1").isEqualTo("v");
  }

  @Test
  void aBatchLoadThatCompletesWhileTheExecutorIsFullIsServedAndKeptInL1WithoutARedisCall() {
    CoalescingCache cache = cache();
    CompletableFuture<Map<String, String>> loader = new CompletableFuture<>();
    CompletableFuture<Map<String, String>> values = cache.getAllAsync(List.of("a", "b"), String.class,
        (Set<String> keys) -> loader);
    int writeBacks = remote.writeBacks.get();
    full.set(true); // the query completes on the driver's event loop, with the pool full

    loader.complete(Map.of("a", "1", "b", "2"));

    assertThat(values).succeedsWithin(1, TimeUnit.SECONDS).isEqualTo(Map.of("a", "1", "b", "2"));
    assertThat(remote.writeBacks.get()).as("not written back from the thread that completed the load")
        .isEqualTo(writeBacks);
    assertThat(cache.get("a", String.class, () -> "reloaded")).as("kept in L1").isEqualTo("1");
    assertThat(cache.get("b", String.class, () -> "reloaded")).as("kept in L1").isEqualTo("2");
  }
}
