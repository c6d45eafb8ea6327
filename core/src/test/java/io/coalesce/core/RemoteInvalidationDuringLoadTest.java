package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Another instance's write reported while this instance loads the key: a load fenced by the rebuild
 * lock still stores its value (the writer removed the lock, so a lock that is still ours was taken
 * after the write); a load without the lock does not.
 */
class RemoteInvalidationDuringLoadTest {

  /** A shared tier whose lock is always free and whose fenced write always succeeds. */
  static final class FreeLock implements RemoteTier {
    Invalidations invalidations;
    final AtomicInteger fencedWrites = new AtomicInteger();
    final AtomicInteger plainWrites = new AtomicInteger();

    @Override
    public CacheEntry get(String key, Type type) {
      return null;
    }

    @Override
    public void put(String key, CacheEntry entry, Type type) {
      plainWrites.incrementAndGet();
    }

    @Override
    public boolean putIfLeaseHeld(String key, CacheEntry entry, Type type, Lease lease) {
      fencedWrites.incrementAndGet();
      return true;
    }

    @Override
    public Lease tryLock(String key) {
      return Lease.acquired(key, "token");
    }

    @Override
    public void release(Lease lease) {}

    @Override
    public CacheEntry awaitLoaded(String key, Type type, Duration wait, long newerThan) {
      return null;
    }

    @Override
    public void evict(String key) {}

    @Override
    public void clear() {}

    @Override
    public void onInvalidation(Invalidations listener) {
      this.invalidations = listener;
    }
  }

  final FreeLock remote = new FreeLock();
  final AtomicInteger loads = new AtomicInteger();

  CoalescingCache cache(boolean lock) {
    return CoalescingCacheBuilder.named("products").settings(CacheSettings.builder().lock(p -> p.withEnabled(lock)).build())
        .localTier(CaffeineLocalTier.create(100, Clock.systemUTC())).remoteTier(remote).build();
  }

  String loadWhileAnotherInstanceWrites() {
    loads.incrementAndGet();
    remote.invalidations.invalidated("k"); // the other instance's invalidation arrives mid-load
    return "read after the write";
  }

  @Test
  void aLoadUnderTheLockStillStoresItsValue() {
    CoalescingCache cache = cache(true);
    assertThat(cache.get("k", String.class, this::loadWhileAnotherInstanceWrites)).isEqualTo("read after the write");
    assertThat(remote.fencedWrites.get()).isEqualTo(1);
    assertThat(cache.get("k", String.class, this::loadWhileAnotherInstanceWrites)).isEqualTo("read after the write");
    assertThat(loads.get()).isEqualTo(1); // served from L1: no second load for the cluster
  }

  @Test
  void aLoadWithoutTheLockStoresNothing() {
    CoalescingCache cache = cache(false);
    assertThat(cache.get("k", String.class, this::loadWhileAnotherInstanceWrites)).isEqualTo("read after the write");
    assertThat(remote.plainWrites.get()).isZero();
    cache.get("k", String.class, this::loadWhileAnotherInstanceWrites);
    assertThat(loads.get()).isEqualTo(2); // it may have read before the write: not kept
  }
}
