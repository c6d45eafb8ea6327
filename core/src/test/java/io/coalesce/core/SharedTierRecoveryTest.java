package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * While the shared tier fails, L1 keeps copies for their whole window (the loaders then run once
 * per key per window, as without Redis); once it answers again, they go back to {@code local.ttl},
 * so sharing resumes within {@code local.ttl} rather than a whole window later.
 */
class SharedTierRecoveryTest {

  @Test
  void copiesKeptWhileTheSharedTierFailedGoBackToLocalTtlWhenItAnswersAgain() {
    TestClock clock = new TestClock();
    FakeRemoteTier remote = new FakeRemoteTier();
    AtomicInteger loads = new AtomicInteger();
    CoalescingCache cache = CoalescingCacheBuilder.named("products").clock(clock).remoteTier(remote)
        .settings(CacheSettings.builder().ttl(Duration.ofMinutes(10)).jitter(0).earlyRefreshBeta(0)
            .local(l -> l.withTtl(Duration.ofSeconds(1))).build())
        .localTier(CaffeineLocalTier.create(100, clock)).build();

    remote.available = false;
    cache.get("k", String.class, () -> "v" + loads.incrementAndGet());
    clock.advance(Duration.ofSeconds(5));
    assertThat(cache.get("k", String.class, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
    assertThat(loads.get()).as("kept past local.ttl while the tier failed").isEqualTo(1);

    remote.available = true;
    remote.invalidations.availableAgain();
    assertThat(cache.get("k", String.class, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
    clock.advance(Duration.ofMillis(1_001));
    assertThat(cache.get("k", String.class, () -> "v" + loads.incrementAndGet())).isEqualTo("v2");
    assertThat(remote.values).as("shared again").containsKey("k");
  }
}
