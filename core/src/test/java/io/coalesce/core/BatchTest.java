package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.local.CaffeineLocalTier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** {@link CoalescingCache#getAll}: one entry per key, one load of the missing keys, single flight per key. */
class BatchTest {

  final RecordingListener listener = new RecordingListener();
  final Map<Long, AtomicInteger> loadsPerId = new ConcurrentHashMap<>();
  final List<Set<Long>> calls = new CopyOnWriteArrayList<>();

  CoalescingCache cache(PenetrationGuard guard) {
    return CoalescingCacheBuilder.named("products").settings(CacheSettings.defaults()).listener(listener)
        .penetrationGuard(guard).localTier(CaffeineLocalTier.create(100_000, Clock.systemUTC())).build();
  }

  /** A repository's findAllById: ids below 10,000 exist, named "p<id>". */
  Map<Long, String> findAll(Set<Long> ids) {
    calls.add(Set.copyOf(ids));
    Map<Long, String> found = new HashMap<>();
    for (Long id : ids) {
      loadsPerId.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
      if (id < 10_000) {
        found.put(id, "p" + id);
      }
    }
    return found;
  }

  static List<Long> ids(long from, long to) {
    return LongStream.range(from, to).boxed().toList();
  }

  @Test
  void onlyTheMissingIdsReachTheLoaderInOneCallAndEachIsSharedWithSingleReads() throws Exception {
    CoalescingCache cache = cache(PenetrationGuard.NONE);
    for (long id = 0; id < 60; id++) {
      long cached = id;
      cache.get(cached, String.class, () -> "p" + cached);
    }

    Map<Long, String> got = cache.getAll(ids(0, 100), String.class, this::findAll);

    assertThat(calls).containsExactly(Set.copyOf(ids(60, 100)));
    assertThat(got.keySet()).containsExactlyElementsOf(ids(0, 100)); // the caller's order
    assertThat(got).allSatisfy((id, value) -> assertThat(value).isEqualTo("p" + id));
    for (long id = 0; id < 100; id++) {
      assertThat(cache.get(id, String.class, () -> {
        throw new AssertionError("findById must not run: the batch cached every id");
      })).isEqualTo("p" + id);
    }
    assertThat(cache.getAll(ids(0, 100), String.class, this::findAll)).isEqualTo(got);
    assertThat(calls).hasSize(1);
  }

  @Test
  void idsTheLoaderDoesNotReturnAreCachedAsNotFoundAndDuplicatesCountOnce() throws Exception {
    CoalescingCache cache = cache(PenetrationGuard.NONE);
    List<Long> asked = List.of(1L, 20_000L, 1L, 20_001L, 2L);

    Map<Long, String> got = cache.getAll(asked, String.class, this::findAll);

    assertThat(got.keySet()).containsExactly(1L, 20_000L, 20_001L, 2L);
    assertThat(got.get(20_000L)).isNull();
    assertThat(got.get(1L)).isEqualTo("p1");
    assertThat(calls).containsExactly(Set.of(1L, 2L, 20_000L, 20_001L));
    cache.getAll(asked, String.class, this::findAll);
    assertThat(calls).hasSize(1);
    assertThat(cache.get(20_000L, String.class, () -> "must not load")).isNull();
  }

  @Test
  void keysTheLoaderReturnsUnaskedAreIgnored() throws Exception {
    CoalescingCache cache = cache(PenetrationGuard.NONE);
    Map<Long, String> got = cache.getAll(List.of(1L), String.class, ids -> Map.of(1L, "p1", 2L, "p2"));
    assertThat(got).containsExactly(Map.entry(1L, "p1"));
    assertThat(cache.get(2L, String.class, () -> "loaded by get")).isEqualTo("loaded by get");
  }

  @Test
  void idsTheBloomGuardRejectsNeverReachTheLoader() throws Exception {
    Set<String> existing = ConcurrentHashMap.newKeySet();
    existing.addAll(List.of("1", "2"));
    CoalescingCache cache = cache(new PenetrationGuard() {
      @Override
      public boolean mightContain(String key) {
        return existing.contains(key);
      }

      @Override
      public void add(String key) {
        existing.add(key);
      }
    });

    Map<Long, String> got = cache.getAll(List.of(1L, 2L, 3L, 4L), String.class, this::findAll);

    assertThat(calls).containsExactly(Set.of(1L, 2L));
    assertThat(got).containsEntry(1L, "p1").containsEntry(2L, "p2").containsEntry(3L, null).containsEntry(4L, null);
    assertThat(listener.count(CacheListener.GetResult.BLOOM_REJECTED)).isEqualTo(2);
  }

  @Test
  void aFailingLoaderFailsTheBatchUnchangedAndCachesNothing() throws Exception {
    CoalescingCache cache = cache(PenetrationGuard.NONE);
    Exception failure = new java.sql.SQLException("database down");

    assertThatThrownBy(() -> cache.getAll(List.of(1L, 2L), String.class, ids -> {
      throw failure;
    })).isSameAs(failure);

    assertThat(cache.getAll(List.of(1L, 2L), String.class, this::findAll)).containsEntry(1L, "p1");
    assertThat(calls).hasSize(1);
  }

  /** A single read of an id that a batch is loading joins that load instead of loading it again. */
  @RepeatedTest(20)
  void aSingleReadJoinsTheBatchLoadOfItsId() throws Exception {
    CoalescingCache cache = cache(PenetrationGuard.NONE);
    CountDownLatch batchLoading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<Map<Long, String>> batch = pool.submit(() -> cache.getAll(List.of(5L, 6L, 7L), String.class, ids -> {
        batchLoading.countDown();
        release.await();
        return findAll(ids);
      }));
      assertThat(batchLoading.await(10, TimeUnit.SECONDS)).isTrue();
      Future<String> single = pool.submit(() -> cache.get(7L, String.class, () -> "loaded by findById"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (listener.count("coalesced") < 1 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      release.countDown();

      assertThat(single.get(10, TimeUnit.SECONDS)).isEqualTo("p7");
      assertThat(batch.get(10, TimeUnit.SECONDS)).containsEntry(7L, "p7");
      assertThat(listener.count("coalesced")).isEqualTo(1);
      assertThat(calls).containsExactly(Set.of(5L, 6L, 7L));
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  /** 20 threads released together, each asking a window of 200 of 1,000 ids that overlaps the others'. */
  @RepeatedTest(20)
  void overlappingConcurrentBatchesLoadEachIdOnce() throws Exception {
    CoalescingCache cache = cache(PenetrationGuard.NONE);
    int threads = 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Map<Long, String>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        List<Long> window = ids(t * 40L, t * 40L + 200);
        results.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          return cache.getAll(window.stream().map(id -> (id * 7) % 1_000).collect(Collectors.toList()),
              String.class, this::findAll);
        }));
      }
      ready.await();
      go.countDown();
      for (Future<Map<Long, String>> result : results) {
        assertThat(result.get(30, TimeUnit.SECONDS)).hasSize(200)
            .allSatisfy((id, value) -> assertThat(value).isEqualTo("p" + id));
      }
    } finally {
      pool.shutdownNow();
    }
    Set<Long> asked = LongStream.range(0, 19 * 40 + 200).map(id -> (id * 7) % 1_000).boxed().collect(Collectors.toSet());
    assertThat(loadsPerId.keySet()).isEqualTo(asked);
    assertThat(loadsPerId).allSatisfy((id, loads) -> assertThat(loads.get()).as("loads of id %d", id).isEqualTo(1));
    assertThat(cache.inFlight()).isZero();
  }
}
