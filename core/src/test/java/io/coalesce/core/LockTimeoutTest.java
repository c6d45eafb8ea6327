package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.core.CacheListener.LockResult;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What a leader does when another instance holds the key's rebuild lock past {@code lock.wait}. The
 * wait runs on an injected ticker that the fake tier advances as it "waits": no test sleeps.
 */
class LockTimeoutTest {

  final RecordingListener listener = new RecordingListener();
  final FakeRemoteTier remote = new FakeRemoteTier();
  final AtomicLong nanos = new AtomicLong();

  CoalescingCache cache(LockTimeoutAction onTimeout) {
    remote.lockHeldElsewhere = true;
    remote.waited = nanos::addAndGet;
    CacheSettings settings = CacheSettings.builder()
        .lock(l -> l.withWaitTime(Duration.ofSeconds(5)).withOnTimeout(onTimeout)).build();
    return CoalescingCacheBuilder.named("products").settings(settings).listener(listener).ticker(nanos::get)
        .localTier(CaffeineLocalTier.create(100, new TestClock())).clock(new TestClock()).remoteTier(remote).build();
  }

  @Test
  void failGivesTheCallerAnExceptionNamingLockWaitAndRunsNoLoader() {
    CoalescingCache cache = cache(LockTimeoutAction.FAIL);
    AtomicInteger loads = new AtomicInteger();

    assertThatThrownBy(() -> cache.get("k", String.class, () -> "v" + loads.incrementAndGet()))
        .isInstanceOf(LoadTimeoutException.class)
        .hasMessageContaining("lock.wait PT5S")
        .hasMessageContaining("coalesce.caches.products.lock.wait")
        .hasMessageNotContaining("did not finish within load-timeout");
    assertThat(loads.get()).isZero();
    assertThat(listener.count(LockResult.GAVE_UP)).isEqualTo(1);
    assertThat(nanos.get()).as("waited the whole lock.wait, on the ticker").isEqualTo(Duration.ofSeconds(5).toNanos());
    assertThat(cache.inFlight()).isZero();
  }

  @Test
  void loadRunsTheLoaderOnThisInstance() {
    CoalescingCache cache = cache(LockTimeoutAction.LOAD);
    AtomicInteger loads = new AtomicInteger();

    assertThat(cache.get("k", String.class, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
    assertThat(loads.get()).isEqualTo(1);
    assertThat(listener.count(LockResult.GAVE_UP)).isEqualTo(1);
    assertThat(remote.stored.get()).as("written back without the lock, fenced by the version").isEqualTo(1);
  }

  @Test
  void theHolderIsRetriedEveryRetryIntervalUntilLockWaitRunsOut() {
    CoalescingCache cache = cache(LockTimeoutAction.LOAD);
    AtomicInteger tries = new AtomicInteger();
    remote.waited = wait -> {
      nanos.addAndGet(wait);
      tries.incrementAndGet();
    };
    cache.get("k", String.class, () -> "v");
    // 5 s in steps of 250 ms: 20 waits, the lock tried after each one.
    assertThat(tries.get()).isEqualTo(20);
  }
}
