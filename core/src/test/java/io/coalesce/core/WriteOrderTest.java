package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Versions, not timing, order the writes of one key: whatever order two writes' threads reach L1
 * in, L1 ends with what the shared tier holds (issue 25, defect 1). Each race is forced: the second
 * write runs to its end between the first write's shared-tier write and its L1 update.
 */
class WriteOrderTest {

  final TestClock clock = new TestClock();
  final FakeRemoteTier remote = new FakeRemoteTier();
  final AtomicInteger loads = new AtomicInteger();

  CoalescingCache cache(RemoteTier tier) {
    return CoalescingCacheBuilder.named("items").clock(clock).remoteTier(tier)
        .localTier(CaffeineLocalTier.create(100, clock)).build();
  }

  String load() {
    return "loaded" + loads.incrementAndGet();
  }

  /** Runs {@code second} once, inside the next write's shared-tier call, after that write took effect. */
  void betweenTheNextWriteAndItsL1Update(Runnable second) {
    remote.afterWrite = () -> {
      remote.afterWrite = () -> {};
      second.run();
    };
  }

  @Test
  void aPutOvertakenByASecondPutLeavesTheSecondInL1AsInTheSharedTier() {
    CoalescingCache cache = cache(remote);
    betweenTheNextWriteAndItsL1Update(() -> cache.put("k", "second"));

    cache.put("k", "first");

    assertThat(remote.values.get("k").value()).isEqualTo("second");
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("second");
    assertThat(loads).hasValue(0);
  }

  @Test
  void aPutOvertakenByAnEvictLeavesNothingInL1AsInTheSharedTier() {
    CoalescingCache cache = cache(remote);
    cache.put("k", "old");
    betweenTheNextWriteAndItsL1Update(() -> cache.evict("k"));

    cache.put("k", "new");

    assertThat(remote.values).doesNotContainKey("k");
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("loaded1");
  }

  @Test
  void anEvictOvertakenByAPutLeavesThePutInL1AsInTheSharedTier() {
    CoalescingCache cache = cache(remote);
    cache.put("k", "old");
    betweenTheNextWriteAndItsL1Update(() -> cache.put("k", "new"));

    cache.evict("k");

    assertThat(remote.values.get("k").value()).isEqualTo("new");
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("new");
    assertThat(loads).hasValue(0);
  }

  @Test
  void anotherInstancesWriteReportedBetweenAPutHereAndItsL1UpdateWins() {
    CoalescingCache cache = cache(remote);
    betweenTheNextWriteAndItsL1Update(() -> remote.writeElsewhere("k")); // its message arrives first

    cache.put("k", "mine");

    assertThat(remote.values).doesNotContainKey("k");
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("loaded1");
  }

  @Test
  void aLateMessageOfThisInstancesOwnOlderWriteDoesNotDropItsNewerPut() {
    CoalescingCache cache = cache(remote);
    cache.put("k", "v1");
    long first = remote.version("k");
    cache.put("k", "v2");

    remote.invalidations.written("k", first); // this instance's own first message, delivered late

    assertThat(cache.get("k", String.class, this::load)).isEqualTo("v2");
    assertThat(loads).hasValue(0);
  }

  @Test
  void aMessageOfAWriteThatTheL1CopyMissedDropsIt() {
    CoalescingCache cache = cache(remote);
    cache.put("k", "v1");
    remote.values.remove("k");

    remote.invalidations.written("k", remote.version("k") + 1); // a write this instance's L1 did not see

    assertThat(cache.get("k", String.class, this::load)).isEqualTo("loaded1");
  }

  @Test
  void withADataVersionTheHigherVersionWinsWhateverOrderThePutsArriveIn() {
    CoalescingCache cache = cache(remote);
    cache.put("k", "v7", 7);

    cache.put("k", "v6", 6); // an older row, whose put arrives late

    assertThat(remote.values.get("k").value()).isEqualTo("v7");
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("v7");
    cache.put("k", "v8", 8);
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("v8");
  }

  @Test
  void withoutASharedTierADataVersionStillOrdersThePutsOfThisInstance() {
    CoalescingCache cache = cache(RemoteTier.NONE);
    cache.put("k", "v7", 7);
    cache.put("k", "v6", 6);
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("v7");
  }

  @Test
  void withoutASharedTierALoadThatStartedBeforeAPutDoesNotReplaceIt() {
    CoalescingCache cache = cache(RemoteTier.NONE);
    String loaded = cache.get("k", String.class, () -> {
      cache.put("k", "put while loading");
      return "read before the put";
    });
    assertThat(loaded).isEqualTo("read before the put"); // its own caller's answer
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("put while loading");
  }

  /** A clear that a lock-less load's read of an absent key preceded must fence its write-back (defect 8). */
  @Test
  void aLoadThatReadBeforeAClearDoesNotStoreAfterIt() {
    CoalescingCache cache = CoalescingCacheBuilder.named("items").clock(clock).remoteTier(remote)
        .settings(CacheSettings.builder().lock(l -> l.withEnabled(false)).build())
        .localTier(CaffeineLocalTier.create(100, clock)).build();

    String loaded = cache.get("k", String.class, () -> {
      remote.clear(); // another instance clears the cache while this load runs, its message not yet here
      return "read before the clear";
    });

    assertThat(loaded).isEqualTo("read before the clear");
    assertThat(remote.values).doesNotContainKey("k");
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("loaded1");
  }
}
