package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Another instance's write reported while this instance loads the key. It reaches the load as a
 * version: a load that read that version (or a newer one) keeps its value, a load that read an
 * older one stores nothing — whether the message comes before its write-back, between the write-back
 * and its L1 store, or after; with the rebuild lock or without.
 */
class RemoteInvalidationDuringLoadTest {

  final FakeRemoteTier remote = new FakeRemoteTier();
  final AtomicInteger loads = new AtomicInteger();

  CoalescingCache cache(boolean lock) {
    return CoalescingCacheBuilder.named("products").settings(CacheSettings.builder().lock(l -> l.withEnabled(lock)).build())
        .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).remoteTier(remote).build();
  }

  String load() {
    return "v" + loads.incrementAndGet();
  }

  @Test
  void aStaleMessageForAWriteTheLoadAlreadyReadDoesNotDiscardIt() {
    CoalescingCache cache = cache(true);
    remote.versions.put("k", 4L);
    remote.beforeWriteBack = () -> remote.invalidations.written("k", 4); // late news of version 4
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("v1");
    assertThat(remote.stored.get()).isEqualTo(1);
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("v1"); // served from L1
    assertThat(loads.get()).isEqualTo(1);
  }

  @Test
  void aWriteElsewhereDuringTheLoadMeansNothingIsStored() {
    for (boolean lock : new boolean[] {true, false}) {
      FakeRemoteTier tier = new FakeRemoteTier();
      AtomicInteger n = new AtomicInteger();
      CoalescingCache cache = CoalescingCacheBuilder.named("products")
          .settings(CacheSettings.builder().lock(l -> l.withEnabled(lock)).build())
          .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).remoteTier(tier).build();
      tier.beforeWriteBack = () -> tier.writeElsewhere("k");
      assertThat(cache.get("k", String.class, () -> "v" + n.incrementAndGet())).isEqualTo("v1"); // its own answer
      tier.beforeWriteBack = () -> {};
      assertThat(tier.values).as("lock " + lock).doesNotContainKey("k");
      cache.get("k", String.class, () -> "v" + n.incrementAndGet());
      assertThat(n.get()).as("lock " + lock + ": nothing kept in L1").isEqualTo(2);
    }
  }

  @Test
  void aWriteElsewhereReportedBetweenTheWriteBackAndTheL1StoreIsNotUndone() {
    CoalescingCache cache = cache(true);
    // Our fenced write-back succeeds; another instance writes right after, and its message arrives
    // before we store the value in L1.
    remote.afterWriteBack = () -> remote.writeElsewhere("k");
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("v1");
    remote.afterWriteBack = () -> {};
    assertThat(cache.get("k", String.class, this::load)).isEqualTo("v2");
    assertThat(loads.get()).as("the older value did not survive in L1").isEqualTo(2);
  }

  @Test
  void aWriteReportedBeforeTheReadAnswersIsHeldAgainstTheVersionTheReadReturns() {
    for (boolean lock : new boolean[] {true, false}) {
      // The write ran in Redis before the read: the read returns its version, the load is current.
      FakeRemoteTier after = new FakeRemoteTier();
      AtomicInteger n = new AtomicInteger();
      CoalescingCache cache = CoalescingCacheBuilder.named("products")
          .settings(CacheSettings.builder().lock(l -> l.withEnabled(lock)).build())
          .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).remoteTier(after).build();
      after.duringRead = once(() -> after.writeElsewhere("k"));
      assertThat(cache.get("k", String.class, () -> "v" + n.incrementAndGet())).isEqualTo("v1");
      assertThat(after.values).as("lock " + lock + ": stored").containsKey("k");
      assertThat(cache.get("k", String.class, () -> "v" + n.incrementAndGet())).isEqualTo("v1");
      assertThat(n.get()).as("lock " + lock + ": kept in L1, no second load").isEqualTo(1);

      // The write ran after the read, its message overtook the read's reply: nothing is kept.
      FakeRemoteTier before = new FakeRemoteTier();
      AtomicInteger m = new AtomicInteger();
      CoalescingCache other = CoalescingCacheBuilder.named("products")
          .settings(CacheSettings.builder().lock(l -> l.withEnabled(lock)).build())
          .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).remoteTier(before).build();
      before.beforeReadAnswers = once(() -> before.writeElsewhere("k"));
      assertThat(other.get("k", String.class, () -> "v" + m.incrementAndGet())).isEqualTo("v1");
      assertThat(before.values).as("lock " + lock + ": not stored").doesNotContainKey("k");
      assertThat(other.get("k", String.class, () -> "v" + m.incrementAndGet())).isEqualTo("v2");
    }
  }

  private static Runnable once(Runnable action) {
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        action.run();
      }
    };
  }
}
