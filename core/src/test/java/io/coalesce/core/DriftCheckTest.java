package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The drift meter counts L1 copies that are older than the shared tier once an invalidation has had
 * time to arrive, and nothing in a healthy cluster. Every hit is sampled here (rate 1); the check
 * runs inline and its second look when the test runs the scheduler.
 */
class DriftCheckTest {

  final TestClock clock = new TestClock();
  final FakeRemoteTier remote = new FakeRemoteTier();
  final RecordingListener listener = new RecordingListener();
  final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  CoalescingCache cache(double rate) {
    return CoalescingCacheBuilder.named("items").clock(clock).remoteTier(remote).listener(listener)
        .scheduler(scheduler).refreshExecutor(Runnable::run)
        .settings(CacheSettings.builder().driftSampleRate(rate).build())
        .localTier(CaffeineLocalTier.create(100, clock)).build();
  }

  @Test
  void aCopyThatMissedAWriteIsCountedOnceTheWriteHadTimeToArrive() {
    CoalescingCache cache = cache(1.0);
    cache.put("k", "v1");
    remote.versions.put("k", remote.version("k") + 1); // another instance wrote; its message was lost

    assertThat(cache.get("k", String.class, () -> "loaded")).isEqualTo("v1"); // served from L1, sampled
    assertThat(listener.count("drift")).as("not before the message had time to arrive").isZero();
    ScheduledTasks.runNow(scheduler);

    assertThat(listener.count("drift")).isEqualTo(1);
  }

  @Test
  void aCopyWhoseInvalidationArrivesInTimeIsNotCounted() {
    CoalescingCache cache = cache(1.0);
    cache.put("k", "v1");
    remote.versions.put("k", remote.version("k") + 1);
    cache.get("k", String.class, () -> "loaded");

    remote.invalidations.written("k", remote.version("k")); // the message arrives
    ScheduledTasks.runNow(scheduler);

    assertThat(listener.count("drift")).isZero();
  }

  @Test
  void copiesAsNewAsTheSharedTierAreNeverCountedAndNoSampleNoCheck() {
    CoalescingCache cache = cache(1.0);
    cache.put("k", "v1");
    for (int i = 0; i < 100; i++) {
      cache.get("k", String.class, () -> "loaded");
    }
    ScheduledTasks.runNow(scheduler);
    assertThat(listener.count("drift")).isZero();

    CoalescingCache off = cache(0);
    off.put("j", "v1");
    remote.versions.put("j", remote.version("j") + 1);
    int reads = remote.reads.get();
    off.get("j", String.class, () -> "loaded");
    assertThat(remote.reads.get()).as("rate 0: no check reads Redis").isEqualTo(reads);
  }
}
