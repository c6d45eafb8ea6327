package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.core.CacheListener.GetResult;
import io.coalesce.core.CacheListener.RefreshTrigger;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Another instance's load of a key (its refresh, usually) reaches this instance as a "loaded"
 * message. The L1 copy here may be older than what it loaded, so it must not stay fresh; but it was
 * servable, and dropping it made this instance's next readers wait for a Redis read in every window
 * (issue 29, item 3: 466-476 such misses per 10 s on four instances). The copy is kept as stale from
 * the message on, never servable past the end it had: the next read is served it and refreshes it in
 * the background, where the refresh finds the newer value in the shared tier and loads nothing.
 */
class LoadedElsewhereTest {

  final TestClock clock = new TestClock();
  final FakeRemoteTier remote = new FakeRemoteTier();
  final RecordingListener listener = new RecordingListener();
  final Queue<Runnable> refreshes = new ArrayDeque<>();
  final AtomicInteger loads = new AtomicInteger();

  CoalescingCache cache(Duration staleTtl) {
    return cache(Duration.ofMinutes(1), staleTtl);
  }

  CoalescingCache cache(Duration ttl, Duration staleTtl) {
    return CoalescingCacheBuilder.named("items").clock(clock).remoteTier(remote).listener(listener)
        .refreshExecutor(refreshes::add)
        .settings(CacheSettings.builder().ttl(ttl).jitter(0).staleTtl(staleTtl)
            .earlyRefreshBeta(0).nullTtl(Duration.ofMinutes(1)).build())
        .localTier(CaffeineLocalTier.create(100, clock)).build();
  }

  String load(String value) {
    loads.incrementAndGet();
    return value;
  }

  /** What another instance's refresh does: a newer entry in the shared tier, and its message. */
  void refreshedElsewhere(String key, Object value) {
    long now = clock.millis();
    remote.values.put(key, new CacheEntry(value, now, now + 60_000, now + 60_000, 5));
    remote.invalidations.loaded(key, remote.version(key));
  }

  @Test
  void theNextReadIsServedTheOldCopyAndItsRefreshTakesTheNewValueFromTheSharedTier() {
    CoalescingCache cache = cache(Duration.ZERO);
    assertThat(cache.get("k", String.class, () -> load("v1"))).isEqualTo("v1");
    clock.advance(Duration.ofSeconds(30));
    refreshedElsewhere("k", "v2");

    assertThat(cache.get("k", String.class, () -> load("never"))).as("served, not waiting").isEqualTo("v1");
    assertThat(listener.count(GetResult.MISS)).as("only the first load").isEqualTo(1);
    assertThat(listener.count(GetResult.STALE)).isEqualTo(1);
    assertThat(listener.count(RefreshTrigger.STALE)).isEqualTo(1);
    assertThat(refreshes).hasSize(1);
    refreshes.poll().run();

    assertThat(cache.get("k", String.class, () -> load("never"))).isEqualTo("v2");
    assertThat(listener.count(GetResult.L1_HIT)).isEqualTo(1);
    assertThat(loads).as("the refresh read the shared tier and loaded nothing").hasValue(1);
  }

  @Test
  void theOldCopyIsNeverServedPastTheEndItHad() {
    CoalescingCache cache = cache(Duration.ZERO);
    cache.get("k", String.class, () -> load("v1"));
    clock.advance(Duration.ofSeconds(30));
    refreshedElsewhere("k", "v2");
    remote.available = false; // its refresh cannot run, and neither can a read of the shared tier

    clock.advance(Duration.ofSeconds(30)); // the end of v1's ttl, with no stale window
    assertThat(cache.get("k", String.class, () -> load("loaded here"))).isEqualTo("loaded here");
    assertThat(listener.count(GetResult.MISS)).isEqualTo(2);
  }

  @Test
  void aCopyNewerThanTheLoadStaysFresh() {
    CoalescingCache cache = cache(Duration.ZERO);
    cache.get("k", String.class, () -> load("v1"));
    long loadedAt = remote.version("k");
    cache.put("k", "put here"); // a newer version than the load announced below
    remote.invalidations.loaded("k", loadedAt);

    assertThat(cache.get("k", String.class, () -> load("never"))).isEqualTo("put here");
    assertThat(listener.count(GetResult.L1_HIT)).isEqualTo(1);
    assertThat(refreshes).isEmpty();
  }

  /** A cached "not found" is dropped, as before: the other instance found a value. */
  @Test
  void aCachedNotFoundIsDropped() {
    CoalescingCache cache = cache(Duration.ZERO);
    assertThat(cache.get("k", String.class, () -> load(null))).isNull();
    refreshedElsewhere("k", "found elsewhere");

    assertThat(cache.get("k", String.class, () -> load("never"))).isEqualTo("found elsewhere");
    assertThat(listener.count(GetResult.L2_HIT)).as("read from the shared tier").isEqualTo(1);
    assertThat(loads).hasValue(1);
  }

  /** A copy already stale keeps its window; its next read refreshes it as any stale read does. */
  @Test
  void aStaleCopyKeepsItsWindow() {
    CoalescingCache cache = cache(Duration.ofSeconds(20), Duration.ofMinutes(10));
    cache.get("k", String.class, () -> load("v1"));
    clock.advance(Duration.ofSeconds(30)); // stale, and still held (local.ttl: 1 minute)
    refreshedElsewhere("k", "v2");

    assertThat(cache.get("k", String.class, () -> load("never"))).isEqualTo("v1");
    refreshes.poll().run();
    assertThat(cache.get("k", String.class, () -> load("never"))).isEqualTo("v2");
    assertThat(loads).hasValue(1);
  }

  /**
   * The message of the very load this instance holds (it read the value from the shared tier after
   * the other instance stored it, before the message arrived): its refresh finds the same entry in the
   * shared tier, fresher than the copy the message aged, and takes it back without loading. Before, it
   * took the lock and loaded again (CI: one query too many for a cold key on four instances).
   */
  @Test
  void theMessageOfTheLoadThisInstanceAlreadyHoldsCausesNoLoad() {
    CoalescingCache cache = cache(Duration.ZERO);
    long now = clock.millis();
    remote.values.put("k", new CacheEntry("theirs", now, now + 60_000, now + 60_000, 5)); // loaded elsewhere
    assertThat(cache.get("k", String.class, () -> load("never"))).isEqualTo("theirs"); // read from the shared tier
    remote.invalidations.loaded("k", remote.version("k")); // that load's message arrives after the read

    assertThat(cache.get("k", String.class, () -> load("never"))).isEqualTo("theirs");
    refreshes.poll().run();
    assertThat(cache.get("k", String.class, () -> load("never"))).isEqualTo("theirs");
    assertThat(loads).as("nothing loaded here").hasValue(0);
    assertThat(refreshes).isEmpty();
  }
}
