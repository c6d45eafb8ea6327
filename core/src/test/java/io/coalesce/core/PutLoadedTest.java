package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@link CoalescingCache#lookUp} and {@link CoalescingCache#putLoaded}: a caller that loads by itself
 * after a miss (Spring's {@code @Cacheable} without {@code sync}) has what it loaded stored as the
 * engine's own loads are, fenced by the version its miss read: a value read before a write of the key,
 * here or on another instance, never outlives that write.
 */
class PutLoadedTest {

  private final TestClock clock = new TestClock();
  private final FakeRemoteTier remote = new FakeRemoteTier();
  private final CacheSettings settings = CacheSettings.builder().ttl(Duration.ofMinutes(10)).jitter(0)
      .earlyRefreshBeta(0).build();
  private final CoalescingCache cache = CoalescingCacheBuilder.named("products").clock(clock).remoteTier(remote)
      .settings(settings).localTier(CaffeineLocalTier.create(100, clock)).build();
  private final CoalescingCache localOnly = CoalescingCacheBuilder.named("products").clock(clock)
      .settings(settings).localTier(CaffeineLocalTier.create(100, clock)).build();

  @Test
  void aValueLoadedAfterAMissIsStoredInL1AndTheSharedTier() {
    Lookup miss = cache.lookUp("k", String.class);
    assertThat(miss.isHit()).isFalse();

    cache.putLoaded("k", "loaded", miss);

    assertThat(remote.values.get("k").value()).isEqualTo("loaded");
    int reads = remote.reads.get();
    assertThat(cache.lookUp("k", String.class).entry().value()).isEqualTo("loaded");
    assertThat(remote.reads.get()).as("served from L1").isEqualTo(reads);
  }

  @Test
  void aValueReadBeforeAnEvictHereIsNotStored() {
    Lookup miss = cache.lookUp("k", String.class);
    cache.evict("k"); // a writer changed the row and evicted, after this caller read the old row

    cache.putLoaded("k", "old row", miss);

    assertThat(remote.values).doesNotContainKey("k");
    assertThat(cache.getIfPresent("k", String.class)).isNull();
  }

  @Test
  void aValueReadBeforeAWriteOnAnotherInstanceIsNotStored() {
    Lookup miss = cache.lookUp("k", String.class);
    remote.writeElsewhere("k");

    cache.putLoaded("k", "old row", miss);

    assertThat(remote.values).doesNotContainKey("k");
    assertThat(cache.getIfPresent("k", String.class)).isNull();
  }

  @Test
  void aValueReadBeforeAPutKeepsThePut() {
    Lookup miss = cache.lookUp("k", String.class);
    cache.put("k", "new row");

    cache.putLoaded("k", "old row", miss);

    assertThat(remote.values.get("k").value()).isEqualTo("new row");
    assertThat(cache.getIfPresent("k", String.class).value()).isEqualTo("new row");
  }

  @Test
  void aValueReadBeforeAClearIsNotStored() {
    Lookup miss = cache.lookUp("k", String.class);
    cache.clear();

    cache.putLoaded("k", "old row", miss);

    assertThat(cache.getIfPresent("k", String.class)).isNull();
  }

  /** Unlike a put, it gives the key no new version: callers that missed together do not undo each other. */
  @Test
  void callersThatMissedTogetherAllStoreWhatTheyLoaded() {
    Lookup first = cache.lookUp("k", String.class);
    Lookup second = cache.lookUp("k", String.class);

    long version = remote.version("k");
    cache.putLoaded("k", "row", first);
    cache.putLoaded("k", "row", second);

    assertThat(remote.values.get("k").value()).isEqualTo("row");
    assertThat(remote.version("k")).as("no new version: a load, not a write").isEqualTo(version);
    assertThat(cache.getIfPresent("k", String.class).value()).isEqualTo("row");
  }

  @Test
  void aValueLoadedLongerThanALockLeaseAfterItsMissIsNotStored() {
    Lookup miss = cache.lookUp("k", String.class);
    clock.advance(settings.lock().lease().plusMillis(1)); // the key's version in Redis may have lapsed

    cache.putLoaded("k", "row", miss);

    assertThat(remote.values).doesNotContainKey("k");
    assertThat(cache.getIfPresent("k", String.class)).isNull();
  }

  /** As a load is while Redis fails: kept in L1 only, and fenced by the writes this instance sees. */
  @Test
  void whenTheSharedTierDidNotAnswerTheMissItIsKeptInL1Only() {
    remote.available = false;
    Lookup miss = cache.lookUp("k", String.class);
    remote.available = true;

    cache.putLoaded("k", "row", miss);

    assertThat(remote.values).as("nothing to fence a Redis write by").doesNotContainKey("k");
    assertThat(cache.getIfPresent("k", String.class).value()).isEqualTo("row");

    remote.available = false;
    Lookup before = cache.lookUp("j", String.class);
    remote.writesFail = true;
    cache.evict("j"); // Redis does not take it: it leaves no version in L1 to refuse an older store by
    remote.writesFail = false;
    remote.available = true;
    cache.putLoaded("j", "old row", before);
    assertThat(cache.getIfPresent("j", String.class)).isNull();
  }

  @Test
  void aWriteHereThatRedisDidNotTakeRefusesIt() {
    Lookup miss = cache.lookUp("k", String.class);
    remote.writesFail = true;
    cache.evict("k"); // Redis's version does not move, and L1 is left no version to refuse an older store by
    remote.writesFail = false;

    cache.putLoaded("k", "old row", miss);

    assertThat(remote.values).doesNotContainKey("k");
    assertThat(cache.getIfPresent("k", String.class)).isNull();
  }

  @Test
  void aWriteElsewhereArrivingDuringTheWriteBackLeavesNothingOld() {
    Lookup miss = cache.lookUp("k", String.class);
    remote.afterWriteBack = () -> remote.writeElsewhere("k"); // stored, then at once written over and announced

    cache.putLoaded("k", "old row", miss);

    remote.afterWriteBack = () -> {};
    assertThat(remote.values).doesNotContainKey("k");
    assertThat(cache.getIfPresent("k", String.class)).isNull();
  }

  @Test
  void whenTheSharedTierFailsTheWriteBackNothingIsStored() {
    Lookup miss = cache.lookUp("k", String.class);
    remote.available = false;

    cache.putLoaded("k", "row", miss);

    remote.available = true;
    assertThat(cache.getIfPresent("k", String.class)).isNull();
  }

  @Test
  void withoutASharedTierAWriteSinceTheMissRefusesIt() {
    Lookup stored = localOnly.lookUp("k", String.class);
    localOnly.putLoaded("k", "row", stored);
    assertThat(localOnly.getIfPresent("k", String.class).value()).isEqualTo("row");

    Lookup miss = localOnly.lookUp("j", String.class);
    localOnly.evict("j");
    localOnly.putLoaded("j", "old row", miss);
    assertThat(localOnly.getIfPresent("j", String.class)).isNull();

    Lookup beforePut = localOnly.lookUp("i", String.class);
    localOnly.put("i", "new row");
    localOnly.putLoaded("i", "old row", beforePut);
    assertThat(localOnly.getIfPresent("i", String.class).value()).isEqualTo("new row");
  }

  /** Redis holds another type's value for the key (a rolling deploy): kept in L1 only, as a load's would be. */
  @Test
  void aValueLoadedWhereRedisHoldsAnotherTypesValueIsKeptInL1Only() {
    remote.foreign.add("k");
    Lookup miss = cache.lookUp("k", String.class);

    cache.putLoaded("k", "row", miss);

    assertThat(remote.values).as("the other type's value is left to the instances that read it").doesNotContainKey("k");
    int reads = remote.reads.get();
    assertThat(cache.getIfPresent("k", String.class).value()).isEqualTo("row");
    assertThat(remote.reads.get()).isEqualTo(reads);
  }

  @Test
  void notFoundIsStoredAsANullEntryWhenNullsAreCached() {
    Lookup miss = cache.lookUp("k", String.class);

    cache.putLoaded("k", null, miss);

    CacheEntry found = cache.getIfPresent("k", String.class);
    assertThat(found).isNotNull();
    assertThat(found.isNull()).isTrue();
  }

  @Test
  void onlyAMissOfTheSameKeyInTheSameCacheIsAccepted() {
    cache.put("hit", "v");
    Lookup hit = cache.lookUp("hit", String.class);
    Lookup miss = cache.lookUp("k", String.class);

    assertThatThrownBy(() -> cache.putLoaded("hit", "v", hit)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> cache.putLoaded("other", "v", miss)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("other").hasMessageContaining("products");
    assertThatThrownBy(() -> localOnly.putLoaded("k", "v", miss)).isInstanceOf(IllegalArgumentException.class);
  }
}
