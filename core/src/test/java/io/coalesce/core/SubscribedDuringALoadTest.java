package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The subscription to the other instances' messages begins (at start-up, or again after a lost
 * connection) while a load runs under the rebuild lock. Messages sent before it may be lost, so what
 * the load read may be older than a write this instance did not hear of: its value is not kept in
 * L1, as before. But its write-back to the shared tier is fenced by the version it read, which proves
 * or refutes that by itself, so it is still written back. It used to be dropped, its lock released
 * without a value, and the instances waiting for it loaded the key again: seen in CI as two queries
 * for 200 callers on two instances started just before (StarterAcceptanceIT).
 */
class SubscribedDuringALoadTest {

  final TestClock clock = new TestClock();
  final FakeRemoteTier remote = new FakeRemoteTier();
  final AtomicInteger loads = new AtomicInteger();

  CoalescingCache cache() {
    return CoalescingCacheBuilder.named("items").clock(clock).remoteTier(remote).refreshExecutor(Runnable::run)
        .settings(CacheSettings.builder().ttl(Duration.ofMinutes(1)).jitter(0).earlyRefreshBeta(0).build())
        .localTier(CaffeineLocalTier.create(100, clock)).build();
  }

  @Test
  void aLoadUnderwayWhenTheSubscriptionBeginsIsStillWrittenBackButNotKeptInL1() {
    CoalescingCache cache = cache();

    String value = cache.get("k", String.class, () -> {
      loads.incrementAndGet();
      remote.invalidations.resubscribed(); // the subscription begins while the loader runs
      return "v1";
    });

    assertThat(value).isEqualTo("v1");
    assertThat(remote.stored).as("written back, fenced by the version it read").hasValue(1);
    assertThat(remote.values.get("k").value()).isEqualTo("v1");
    assertThat(remote.locks).as("its lock released with the value").isEmpty();
    int reads = remote.reads.get();
    assertThat(cache.get("k", String.class, () -> "loaded again")).isEqualTo("v1");
    assertThat(remote.reads.get()).as("not kept in L1: read from the shared tier").isEqualTo(reads + 1);
    assertThat(loads).hasValue(1);
  }

  /** A write that the lost message was about still fences the write-back out. */
  @Test
  void aWriteItMissedStillFencesItsWriteBackOut() {
    CoalescingCache cache = cache();

    cache.get("k", String.class, () -> {
      remote.writeElsewhere("k"); // its message is lost: this instance is not subscribed yet
      remote.invalidations.resubscribed();
      return "read before that write";
    });

    assertThat(remote.stored).hasValue(0);
    assertThat(cache.get("k", String.class, () -> "loaded after the write")).isEqualTo("loaded after the write");
  }
}
