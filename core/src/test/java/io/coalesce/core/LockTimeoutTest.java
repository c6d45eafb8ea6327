package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.core.CacheListener.LockResult;
import io.coalesce.local.CaffeineLocalTier;
import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a leader does when another instance holds the key's rebuild lock past {@code lock.wait}. */
class LockTimeoutTest {

  /** A shared tier whose lock is always held by an instance that never delivers. */
  static final class LockHeldForever implements RemoteTier {
    @Override
    public CacheEntry get(String key, Type type) {
      return null;
    }

    @Override
    public void put(String key, CacheEntry entry, Type type) {}

    @Override
    public boolean putIfLeaseHeld(String key, CacheEntry entry, Type type, Lease lease) {
      return false;
    }

    @Override
    public Lease tryLock(String key) {
      return Lease.heldElsewhere(key);
    }

    @Override
    public void release(Lease lease) {}

    @Override
    public CacheEntry awaitLoaded(String key, Type type, Duration wait, long newerThan) {
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    }

    @Override
    public void evict(String key) {}

    @Override
    public void clear() {}

    @Override
    public void onInvalidation(Invalidations listener) {}
  }

  final RecordingListener listener = new RecordingListener();

  CoalescingCache cache(LockTimeoutAction onTimeout) {
    CacheSettings settings = CacheSettings.builder().lock(p -> p.withWaitTime(Duration.ofMillis(100))).lock(p -> p.withOnTimeout(onTimeout))
        .build();
    return CoalescingCacheBuilder.named("products").settings(settings).listener(listener)
        .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).remoteTier(new LockHeldForever()).build();
  }

  @Test
  void failGivesTheCallerAnExceptionNamingLockWaitAndRunsNoLoader() {
    CoalescingCache cache = cache(LockTimeoutAction.FAIL);
    AtomicInteger loads = new AtomicInteger();

    assertThatThrownBy(() -> cache.get("k", String.class, () -> "v" + loads.incrementAndGet()))
        .isInstanceOf(LoadTimeoutException.class)
        .hasMessageContaining("lock.wait PT0.1S")
        .hasMessageContaining("coalesce.caches.products.lock.wait")
        .hasMessageNotContaining("did not finish within load-timeout");
    assertThat(loads.get()).isZero();
    assertThat(listener.count(LockResult.GAVE_UP)).isEqualTo(1);
    assertThat(cache.inFlight()).isZero();
  }

  @Test
  void loadRunsTheLoaderOnThisInstance() {
    CoalescingCache cache = cache(LockTimeoutAction.LOAD);
    AtomicInteger loads = new AtomicInteger();

    assertThat(cache.get("k", String.class, () -> "v" + loads.incrementAndGet())).isEqualTo("v1");
    assertThat(loads.get()).isEqualTo(1);
    assertThat(listener.count(LockResult.GAVE_UP)).isEqualTo(1);
  }
}
