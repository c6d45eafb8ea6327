package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link CoalescingCache#getAllAsync}: L1 on the caller's thread, everything else on Coalesce's. */
class AsyncBatchReadTest {

  final TestClock clock = new TestClock();
  final FakeRemoteTier remote = new FakeRemoteTier();
  final RecordingListener listener = new RecordingListener();
  final AtomicBoolean full = new AtomicBoolean();
  final ExecutorService pool = Executors.newFixedThreadPool(8, task -> new Thread(task, "coalesce-refresh-test"));
  final Executor saturable = task -> {
    if (full.get()) {
      throw new RejectedExecutionException("all threads busy, queue full");
    }
    pool.execute(task);
  };
  /** Every batch the loader was asked for, and the thread that asked. */
  final List<Set<Integer>> batches = new CopyOnWriteArrayList<>();
  final List<String> loaderThreads = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  CoalescingCache cache(Duration loadTimeout) {
    return cache(loadTimeout, remote);
  }

  CoalescingCache cache(Duration loadTimeout, RemoteTier shared) {
    return CoalescingCacheBuilder.named("items").clock(clock).remoteTier(shared).listener(listener)
        .settings(CacheSettings.builder().loadTimeout(loadTimeout).build())
        .refreshExecutor(saturable).localTier(CaffeineLocalTier.create(100, clock)).build();
  }

  /** Even ids exist, as "v" + id. */
  AsyncBatchLoader<Integer, String> evens() {
    return ids -> {
      batches.add(Set.copyOf(ids));
      loaderThreads.add(Thread.currentThread().getName());
      Map<Integer, String> found = new LinkedHashMap<>();
      ids.stream().filter(id -> id % 2 == 0).forEach(id -> found.put(id, "v" + id));
      return CompletableFuture.supplyAsync(() -> found); // completes on another thread, as a driver's
    };
  }

  static Map<Integer, String> expected(List<Integer> ids) {
    Map<Integer, String> expected = new LinkedHashMap<>();
    ids.forEach(id -> expected.put(id, id % 2 == 0 ? "v" + id : null));
    return expected;
  }

  @Test
  void missingKeysAreLoadedInOneCallOnCoalescesThreadAndTheAnswerKeepsTheCallersOrder() {
    CoalescingCache cache = cache(Duration.ofSeconds(5));
    assertThat(cache.getAllAsync(List.of(2, 3), String.class, evens())).succeedsWithin(5, TimeUnit.SECONDS);
    batches.clear();

    CompletableFuture<Map<Integer, String>> all = cache.getAllAsync(List.of(4, 3, 2, 1, 4), String.class, evens());

    assertThat(all).succeedsWithin(5, TimeUnit.SECONDS).satisfies(values -> {
      assertThat(values).containsExactlyEntriesOf(expected(List.of(4, 3, 2, 1)));
      assertThat(new ArrayList<>(values.keySet())).containsExactly(4, 3, 2, 1);
    });
    assertThat(batches).as("only the ids cached nowhere, once").containsExactly(Set.of(4, 1));
    assertThat(loaderThreads).allSatisfy(name -> assertThat(name).startsWith("coalesce-"));
  }

  @Test
  void whenL1AnswersEveryKeyTheFutureIsCompleteOnReturnWithoutAHandOff() {
    CoalescingCache cache = cache(Duration.ofSeconds(5));
    assertThat(cache.getAllAsync(List.of(1, 2, 3), String.class, evens())).succeedsWithin(5, TimeUnit.SECONDS);
    full.set(true); // a hand-off would now be rejected

    CompletableFuture<Map<Integer, String>> all = cache.getAllAsync(List.of(3, 2, 1), String.class, evens());

    assertThat(all).isCompletedWithValue(expected(List.of(3, 2, 1)));
    assertThat(batches).hasSize(1);
  }

  @Test
  void concurrentBatchesAndSingleReadsShareOneLoadPerKey() throws Exception {
    for (int round = 0; round < 20; round++) {
      CoalescingCache cache = cache(Duration.ofSeconds(5));
      batches.clear();
      ConcurrentHashMap<Integer, AtomicInteger> loadsPerId = new ConcurrentHashMap<>();
      CompletableFuture<Void> gate = new CompletableFuture<>(); // every load completes together, late
      AsyncBatchLoader<Integer, String> slow = ids -> {
        ids.forEach(id -> loadsPerId.computeIfAbsent(id, x -> new AtomicInteger()).incrementAndGet());
        Map<Integer, String> found = new LinkedHashMap<>();
        ids.forEach(id -> found.put(id, "v" + id));
        return gate.thenApplyAsync(x -> found);
      };
      int callers = 16;
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService threads = Executors.newFixedThreadPool(callers);
      List<CompletableFuture<?>> answers = Collections.synchronizedList(new ArrayList<>());
      for (int c = 0; c < callers; c++) {
        int caller = c;
        threads.execute(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          if (caller % 4 == 0) {
            answers.add(cache.getAsync(caller % 8, String.class,
                () -> slow.load(Set.of(caller % 8)).thenApply(m -> m.get(caller % 8))));
          } else {
            answers.add(cache.getAllAsync(List.of(caller % 8, (caller + 1) % 8, 7), String.class, slow));
          }
        });
      }
      start.countDown();
      threads.shutdown();
      assertThat(threads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
      Thread.sleep(50); // let the hand-offs reach their flights before the loads complete
      gate.complete(null);
      for (CompletableFuture<?> answer : answers) {
        assertThat(answer).succeedsWithin(5, TimeUnit.SECONDS);
      }
      assertThat(loadsPerId).allSatisfy((id, loads) -> assertThat(loads.get()).as("loads of id " + id).isEqualTo(1));
    }
  }

  @Test
  void aBatchTheExecutorCannotTakeIsRejectedAndNothingRunsOnTheCallersThread() {
    CoalescingCache cache = cache(Duration.ofSeconds(5));
    full.set(true);
    int reads = remote.reads.get();

    CompletableFuture<Map<Integer, String>> all = cache.getAllAsync(List.of(1, 2), String.class, evens());

    assertThat(all).failsWithin(1, TimeUnit.SECONDS).withThrowableThat()
        .withCauseInstanceOf(LoadRejectedException.class);
    assertThat(batches).isEmpty();
    assertThat(remote.reads.get()).isEqualTo(reads);
  }

  @Test
  void aLoaderWhoseStageNeverCompletesFailsItsCallersAtLoadTimeout() {
    // without a shared tier: with one, the hung load's rebuild locks hold the keys until their lease ends
    CoalescingCache cache = cache(Duration.ofMillis(200), RemoteTier.NONE);
    AsyncBatchLoader<Integer, String> hung = ids -> new CompletableFuture<>();

    CompletableFuture<Map<Integer, String>> all = cache.getAllAsync(List.of(1, 2), String.class, hung);

    assertThat(all).failsWithin(5, TimeUnit.SECONDS).withThrowableThat()
        .withCauseInstanceOf(LoadTimeoutException.class);
    assertThat(cache.getAllAsync(List.of(1, 2), String.class, evens())).as("the next read loads")
        .succeedsWithin(5, TimeUnit.SECONDS).isEqualTo(expected(List.of(1, 2)));
  }

  @Test
  void aLoaderFailureReachesTheCallerUnchanged() {
    CoalescingCache cache = cache(Duration.ofSeconds(5));
    IllegalStateException boom = new IllegalStateException("database down");

    CompletableFuture<Map<Integer, String>> all = cache.getAllAsync(List.of(1), String.class,
        ids -> CompletableFuture.failedFuture(boom));

    assertThat(all).failsWithin(5, TimeUnit.SECONDS).withThrowableThat().withCause(boom);
  }
}
