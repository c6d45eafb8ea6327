package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The floor a clear raises in L1 (nothing read below its version is stored): with a shared tier it
 * lapses when the clear's marker expires there, {@link CacheSettings#versionLifetime()} after the
 * clear; without one, versions never go back, and it holds for good.
 */
class ClearFloorTest {

  final TestClock clock = new TestClock();
  final CacheSettings settings = CacheSettings.defaults();
  final Duration lifetime = settings.versionLifetime();
  final CaffeineLocalTier local = CaffeineLocalTier.create(100, clock);

  LocalStore store(RemoteTier remote) {
    return new LocalStore(local, remote, settings, clock);
  }

  CacheEntry entry() {
    long now = clock.millis();
    return new CacheEntry("v", now, now + 3_600_000, now + 3_600_000, 1);
  }

  boolean kept(LocalStore store, String key, long version) {
    store.store(key, entry(), version, null);
    return local.get(key, clock.millis()) != null;
  }

  @Test
  void withASharedTierTheFloorHoldsForTheVersionLifetimeThenLapses() {
    LocalStore store = store(new FakeRemoteTier());
    store.cleared(100);

    clock.advance(lifetime.minusMillis(1));
    assertThat(kept(store, "a", 50)).isFalse();
    assertThat(store.clearedAtOrAfter(100)).isTrue();

    clock.advance(Duration.ofMillis(1));
    assertThat(kept(store, "b", 50)).isTrue();
    assertThat(store.clearedAtOrAfter(100)).as("no longer counts as applied").isFalse();
  }

  @Test
  void aLowerClearWhileTheFloorHoldsDoesNotExtendIt() {
    LocalStore store = store(new FakeRemoteTier());
    store.cleared(100);
    clock.advance(lifetime.dividedBy(2));
    store.cleared(60); // a marker that went back

    assertThat(kept(store, "a", 70)).isFalse();
    clock.advance(lifetime.dividedBy(2));
    assertThat(kept(store, "b", 70)).as("the higher floor ended at its own time").isTrue();
  }

  @Test
  void aHigherClearReplacesTheFloor() {
    LocalStore store = store(new FakeRemoteTier());
    store.cleared(100);
    clock.advance(lifetime.dividedBy(2));
    store.cleared(200);

    clock.advance(lifetime.dividedBy(2));
    assertThat(kept(store, "a", 150)).as("the second clear's floor holds its own lifetime").isFalse();
    clock.advance(lifetime.dividedBy(2));
    assertThat(kept(store, "b", 150)).isTrue();
  }

  @Test
  void withoutASharedTierTheFloorNeverLapses() {
    LocalStore store = store(new NoRemoteTier());
    store.cleared(5);

    clock.advance(Duration.ofDays(30));

    assertThat(kept(store, "a", 3)).isFalse();
    assertThat(kept(store, "b", 5)).isTrue();
  }
}
