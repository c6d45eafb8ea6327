package io.coalesce.bloom;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.core.CacheListener;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.CoalescingCache;
import io.coalesce.core.CoalescingCacheBuilder;
import io.coalesce.local.CaffeineLocalTier;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The guard in front of the engine without Redis: each instance's own Guava filter. */
class InProcessBloomGuardTest {

  static final long EXISTING = 100_000;

  final LongAdder rejected = new LongAdder();
  final CacheListener listener = new CacheListener() {
    @Override
    public void onGet(GetResult result) {
      if (result == GetResult.BLOOM_REJECTED) {
        rejected.increment();
      }
    }
  };
  final AtomicInteger loads = new AtomicInteger();
  volatile long limit = EXISTING;
  BloomFilters filters;

  @AfterEach
  void close() {
    filters.close();
  }

  CoalescingCache cache(BloomSeed seed) {
    CacheSettings settings = CacheSettings.builder().bloom(p -> p.withEnabled(true)).bloom(p -> p.withExpectedInsertions(EXISTING))
        .bloom(p -> p.withFalsePositiveRate(0.01)).nullTtl(Duration.ZERO).build();
    filters = new BloomFilters(seed == null ? List.of() : List.of(seed), null, Duration.ofMillis(50), Clock.systemUTC());
    return CoalescingCacheBuilder.named("products").settings(settings).listener(listener)
        .localTier(CaffeineLocalTier.create(1_000, Clock.systemUTC()))
        .penetrationGuard(filters.guardFor("products", settings, false)).build();
  }

  Long find(CoalescingCache cache, long id) {
    return cache.get(id, Long.class, () -> {
      loads.incrementAndGet();
      return id < limit ? id : null;
    });
  }

  @Test
  void seededWithTheExistingKeysAbsentKeysRarelyReachTheLoaderAndExistingOnesAlwaysDo() {
    CoalescingCache cache = cache(BloomSeed.of("products", () -> LongStream.range(0, EXISTING).boxed()));
    assertThat(filters.rebuild("products")).isTrue();

    for (long id = EXISTING; id < 2 * EXISTING; id++) {
      assertThat(find(cache, id)).isNull();
    }
    int absentLoads = loads.get();
    assertThat(absentLoads).isLessThanOrEqualTo((int) (1.5 * 0.01 * EXISTING));
    assertThat(rejected.sum()).isEqualTo(EXISTING - absentLoads);

    for (long id = 0; id < EXISTING; id++) {
      assertThat(find(cache, id)).isEqualTo(id); // no false negative
    }
    assertThat(loads.get() - absentLoads).isEqualTo((int) EXISTING);
    System.out.printf("[InProcessBloomGuardTest] 100,000 absent keys: %d loads (bound 1,500)%n", absentLoads);
  }

  @Test
  void beforeItIsSeededEveryKeyPasses() {
    CoalescingCache cache = cache(BloomSeed.of("products", () -> LongStream.range(0, EXISTING).boxed()));
    for (long id = EXISTING; id < EXISTING + 100; id++) {
      find(cache, id);
    }
    assertThat(loads.get()).isEqualTo(100);
    assertThat(rejected.sum()).isZero();
    assertThat(filters.status("products").ready()).isFalse();
  }

  @Test
  void withoutASeedTheFilterNeverRejects() {
    CoalescingCache cache = cache(null);
    filters.start();
    for (long id = EXISTING; id < EXISTING + 100; id++) {
      find(cache, id);
    }
    assertThat(loads.get()).isEqualTo(100);
    assertThat(filters.status("products").seed()).isNull();
  }

  @Test
  void keysThatLoadOrArePutAfterSeedingPass() {
    CoalescingCache cache = cache(BloomSeed.of("products", () -> LongStream.range(0, 10).boxed()));
    filters.rebuild("products");
    long created = 5_000_000;
    assertThat(cache.get(created, Long.class, () -> null)).isNull(); // rejected, or a false positive
    cache.put(created, created);
    cache.evict(created);
    assertThat(cache.get(created, Long.class, () -> created)).isEqualTo(created);
  }

  @Test
  void aRebuildForgetsDeletedKeys() {
    List<Long> existing = new java.util.concurrent.CopyOnWriteArrayList<>(LongStream.range(0, 1_000).boxed().toList());
    CoalescingCache cache = cache(BloomSeed.of("products", existing::stream));
    filters.rebuild("products");
    existing.removeIf(id -> id >= 500); // deleted from the database
    limit = 500;
    filters.rebuild("products");

    for (long id = 500; id < 1_000; id++) {
      assertThat(find(cache, id)).isNull(); // the loader finds nothing for these
    }
    long stillPassing = 500 - rejected.sum();
    assertThat(loads.get()).isEqualTo((int) stillPassing);
    assertThat(stillPassing).isLessThanOrEqualTo(25); // false positives only
    assertThat(filters.status("products").generation()).isEqualTo(2);
  }
}
