package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link CoalescingCache#getIfPresent}: what a caller that loads by itself sees (Spring's
 * {@code @Cacheable} without {@code sync} through the cache manager bridge): fresh values only, from L1
 * or the shared tier, never a load, and never a value older than a write this instance has seen.
 */
class GetIfPresentTest {

  private final TestClock clock = new TestClock();
  private final FakeRemoteTier remote = new FakeRemoteTier();
  private final RecordingListener listener = new RecordingListener();
  private final CoalescingCache cache = CoalescingCacheBuilder.named("products").clock(clock).remoteTier(remote)
      .listener(listener)
      .settings(CacheSettings.builder().ttl(Duration.ofMinutes(10)).staleTtl(Duration.ofHours(1)).jitter(0)
          .earlyRefreshBeta(0).build())
      .localTier(CaffeineLocalTier.create(100, clock)).build();

  @Test
  void nothingCachedIsAMissAndLoadsNothing() {
    assertThat(cache.getIfPresent("k", String.class)).isNull();
    assertThat(remote.reads.get()).as("the shared tier was asked").isEqualTo(1);
    assertThat(remote.locks).as("no rebuild lock taken").isEmpty();
    assertThat(cache.inFlight()).isZero();
  }

  @Test
  void aPutIsFoundInL1WithoutAskingTheSharedTier() {
    cache.put("k", "v1");
    int reads = remote.reads.get();

    CacheEntry found = cache.getIfPresent("k", String.class);

    assertThat(found).isNotNull();
    assertThat(found.value()).isEqualTo("v1");
    assertThat(remote.reads.get()).isEqualTo(reads);
  }

  @Test
  void aCachedNotFoundIsAnEntryWhoseValueIsNull() {
    cache.put("k", null);

    CacheEntry found = cache.getIfPresent("k", String.class);

    assertThat(found).isNotNull();
    assertThat(found.isNull()).isTrue();
  }

  @Test
  void aValueOnlyTheSharedTierHoldsIsServedAndKeptInL1() {
    long now = clock.millis();
    remote.values.put("k", new CacheEntry("from-b", now, now + 600_000, now + 4_200_000, 0));

    assertThat(cache.getIfPresent("k", String.class).value()).isEqualTo("from-b");
    int reads = remote.reads.get();
    assertThat(cache.getIfPresent("k", String.class).value()).isEqualTo("from-b");
    assertThat(remote.reads.get()).as("the second read is an L1 hit").isEqualTo(reads);
  }

  @Test
  void aStaleValueIsNotServedSinceNothingWouldRefreshIt() {
    cache.put("k", "v1");
    clock.advance(Duration.ofMinutes(11)); // past ttl, within stale-ttl

    assertThat(cache.getIfPresent("k", String.class)).isNull();
    assertThat(cache.get("k", String.class, () -> "v2")).as("a loader's read still gets the stale value")
        .isEqualTo("v1");
  }

  @Test
  void aReadOlderThanAWriteThisInstanceSawIsNotKept() {
    long now = clock.millis();
    remote.values.put("k", new CacheEntry("old", now, now + 600_000, now + 4_200_000, 0));
    // the read answers "old" at its version, but another instance's write lands before it is stored
    remote.beforeReadAnswers = () -> {
      remote.beforeReadAnswers = () -> {};
      remote.writeElsewhere("k");
    };

    assertThat(cache.getIfPresent("k", String.class).value()).as("what the read found").isEqualTo("old");
    assertThat(cache.getIfPresent("k", String.class)).as("not kept in L1 past the write").isNull();
  }

  @Test
  void theAsynchronousFormAnswersTheSame() {
    assertThat(cache.getIfPresentAsync("k", String.class).join()).isNull();
    cache.put("k", "v1");
    assertThat(cache.getIfPresentAsync("k", String.class)).as("an L1 hit is complete on return")
        .isCompleted();
    assertThat(cache.getIfPresentAsync("k", String.class).join().value()).isEqualTo("v1");
  }
}
