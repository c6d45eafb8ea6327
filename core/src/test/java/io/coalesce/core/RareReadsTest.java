package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * The early refresh of keys read less often than once per load time (issue 29, item 4), on a clock
 * the tests move. With the lead of one load time alone, such a key's reads nearly never fell in the
 * last load time before its expiry, so a reader waited for a load at nearly every expiry.
 */
class RareReadsTest {

  static final Duration TTL = Duration.ofMinutes(10);
  static final long LOAD_MILLIS = 200;

  final TestClock clock = new TestClock();
  /** Background refreshes wait here until the test runs them. */
  final Queue<Runnable> refreshes = new ArrayDeque<>();
  int loads;
  /** Loads that ran inside a read: a caller waited for them. */
  int loadsReadsWaitedFor;
  boolean runningRefreshes;

  CoalescingCache cache(double beta) {
    return CoalescingCacheBuilder.named("products").clock(clock).random(new Random(42))
        .settings(CacheSettings.builder().ttl(TTL).jitter(0).earlyRefreshBeta(beta).build())
        .refreshExecutor(refreshes::add).localTier(CaffeineLocalTier.create(1_000, clock)).build();
  }

  String read(CoalescingCache cache) {
    return cache.get("k", String.class, () -> {
      loads++;
      if (!runningRefreshes) {
        loadsReadsWaitedFor++;
      }
      clock.advance(Duration.ofMillis(LOAD_MILLIS)); // the load takes 200 ms of the test's clock
      return "v" + loads;
    });
  }

  void runRefreshes() {
    runningRefreshes = true;
    for (Runnable task; (task = refreshes.poll()) != null; ) {
      task.run();
    }
    runningRefreshes = false;
  }

  @Test
  void aKeyReadOnceAMinuteIsRefreshedBeforeItExpiresSoNoReadWaits() {
    CoalescingCache cache = cache(1);
    read(cache); // the first load: nothing to serve yet
    for (int minute = 1; minute <= 120; minute++) {
      clock.advance(Duration.ofMinutes(1));
      read(cache);
      runRefreshes();
    }
    assertThat(loadsReadsWaitedFor).as("loads a read waited for").isEqualTo(1);
    // Refreshed at the read that finds at most 2.5 min (a quarter of the ttl) left: every 8 minutes.
    assertThat(loads).as("loads in 2 hours, ttl 10 min").isBetween(15, 17);
  }

  /**
   * With a shared tier, L1 keeps a copy at most {@code local.ttl} (30 s here), so a key read once a
   * minute is served from the shared tier every time: its early refresh must start there.
   */
  @Test
  void aKeyReadOnceAMinuteIsRefreshedEarlyWhenItIsServedFromTheSharedTier() {
    FakeRemoteTier remote = new FakeRemoteTier();
    CoalescingCache cache = CoalescingCacheBuilder.named("products").clock(clock).random(new Random(42))
        .settings(CacheSettings.builder().ttl(TTL).jitter(0).earlyRefreshBeta(1)
            .local(l -> l.withTtl(Duration.ofSeconds(30))).lock(l -> l.withEnabled(false)).build())
        .refreshExecutor(refreshes::add).remoteTier(remote).localTier(CaffeineLocalTier.create(1_000, clock)).build();
    read(cache);
    for (int minute = 1; minute <= 120; minute++) {
      clock.advance(Duration.ofMinutes(1));
      read(cache);
      runRefreshes();
    }
    assertThat(remote.reads.get()).as("reads of the shared tier: L1 did not keep the copies").isGreaterThan(100);
    assertThat(loadsReadsWaitedFor).as("loads a read waited for").isEqualTo(1);
    assertThat(loads).as("loads in 2 hours, ttl 10 min").isBetween(15, 17);
  }

  @Test
  void aKeyReadRegularlyButRarelyIsRefreshedAtMostOncePerThreeQuartersOfItsTtl() {
    CoalescingCache cache = cache(1);
    read(cache);
    for (int read = 1; read <= 30; read++) {
      clock.advance(Duration.ofMinutes(4)); // 2.5 reads a ttl
      read(cache);
      runRefreshes();
    }
    assertThat(loadsReadsWaitedFor).isEqualTo(1);
    assertThat(loads).as("loads in 2 hours, each at least 7.5 min after the one before").isLessThanOrEqualTo(17);
  }

  @Test
  void aKeyNobodyReadsIsNotRefreshed() {
    CoalescingCache cache = cache(1);
    read(cache);
    clock.advance(Duration.ofMinutes(1));
    read(cache);
    clock.advance(Duration.ofHours(1));
    runRefreshes();
    assertThat(loads).isEqualTo(1);
    assertThat(refreshes).isEmpty();
    read(cache); // an hour later: expired, and read again
    assertThat(loadsReadsWaitedFor).isEqualTo(2);
  }

  @Test
  void aHotKeyIsStillRefreshedOneLoadTimeAheadAndNotEarlier() {
    CoalescingCache cache = cache(1);
    read(cache); // loaded in 200 ms: expires 10 min after
    // Read every 10 ms up to 300 ms before its expiry: a read gap of 10 ms, three of which are
    // well under one load time, so nothing is refreshed yet.
    long until = TTL.toMillis() - 300;
    for (long t = 10; t <= until; t += 10) {
      clock.advance(Duration.ofMillis(10));
      read(cache);
    }
    assertThat(refreshes).as("refreshes queued more than one load time before expiry").isEmpty();
    clock.advance(Duration.ofMillis(150)); // 150 ms left: within one load time
    read(cache);
    assertThat(refreshes).hasSize(1);
    runRefreshes();
    assertThat(loads).isEqualTo(2);
    assertThat(loadsReadsWaitedFor).isEqualTo(1);
  }

  @Test
  void withEarlyRefreshOffARareKeyWaitsAtItsExpiryAsBefore() {
    CoalescingCache cache = cache(0);
    read(cache);
    for (int minute = 1; minute <= 30; minute++) {
      clock.advance(Duration.ofMinutes(1));
      read(cache);
      runRefreshes();
    }
    assertThat(refreshes).isEmpty();
    assertThat(loadsReadsWaitedFor).as("one wait per expiry: at minutes 10, 20 and 30").isEqualTo(4);
  }

  @Test
  void readGapsAreBoundedAndAveraged() {
    ReadGaps gaps = new ReadGaps(1_000_000, 0);
    assertThat(gaps.slots()).isEqualTo(ReadGaps.MAX_SLOTS);
    assertThat(new ReadGaps(100, 0).slots()).isEqualTo(128);
    assertThat(gaps.read("k", 0)).isZero(); // read once: no gap yet
    assertThat(gaps.read("k", 60_000)).isEqualTo(60_000);
    assertThat(gaps.read("k", 60_000)).as("a second read in the same millisecond").isEqualTo(60_000);
    assertThat(gaps.read("k", 80_000)).as("a quarter of the way to a 20 s gap").isEqualTo(50_000);
  }
}
