package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.core.HotKeyReport.HotKey;
import io.coalesce.local.CaffeineLocalTier;
import io.coalesce.test.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/**
 * {@code hot-keys}: the most read and most loaded keys of a cache, counted in bounded memory, through
 * the cache's own reads and loads, on a test clock.
 */
class HotKeysTest {

  final TestClock clock = new TestClock();

  CoalescingCache cache(int hotKeys) {
    return CoalescingCacheBuilder.named("items").clock(clock)
        .settings(CacheSettings.builder().ttl(Duration.ofMinutes(10)).jitter(0).hotKeys(hotKeys).build())
        .localTier(CaffeineLocalTier.create(1_000, clock)).build();
  }

  private static List<String> keys(List<HotKey> hottest) {
    return hottest.stream().map(HotKey::key).toList();
  }

  @Test
  void theMostReadKeysComeFirstAmongManyKeysReadOnce() {
    CoalescingCache cache = cache(3);
    List<String> reads = new ArrayList<>();
    reads.addAll(Collections.nCopies(60, "hot"));
    reads.addAll(Collections.nCopies(25, "warm"));
    for (int i = 0; i < 200; i++) {
      reads.add("once-" + i);
    }
    Collections.shuffle(reads, new Random(7));
    for (String key : reads) {
      clock.advance(Duration.ofMillis(1)); // a quiet cache: every read is sampled
      cache.get(key, String.class, () -> "v");
    }

    HotKeyReport report = cache.hotKeys();
    assertThat(report.sampledReads()).isEqualTo(285);
    assertThat(keys(report.reads())).startsWith("hot", "warm").hasSizeLessThanOrEqualTo(3);
    HotKey hot = report.reads().get(0);
    assertThat(hot.atLeast()).isBetween(1L, 60L); // never more than it was read
    assertThat(hot.share()).isEqualTo((double) hot.atLeast() / 285);
    assertThat(report.loadsCounted()).isEqualTo(202);
  }

  @Test
  void readsInOneMillisecondAreSampledOnce() {
    CoalescingCache cache = cache(10);
    for (int i = 0; i < 1_000; i++) {
      cache.get("k", String.class, () -> "v");
    }
    clock.advance(Duration.ofMillis(1));
    cache.get("k", String.class, () -> "v");

    assertThat(cache.hotKeys().sampledReads()).isEqualTo(2);
    assertThat(cache.hotKeys().reads()).containsExactly(new HotKey("k", 2, 1.0));
  }

  @Test
  void everyLoadIsCountedFailuresIncluded() {
    CoalescingCache cache = cache(10);
    for (int i = 0; i < 5; i++) {
      try {
        cache.get("broken", String.class, () -> {
          throw new IllegalStateException("down");
        });
      } catch (IllegalStateException expected) {
        // a load that fails is still a load
      }
    }
    cache.get("fine", String.class, () -> "v");
    cache.get("fine", String.class, () -> "v"); // a hit: not a load

    HotKeyReport report = cache.hotKeys();
    assertThat(report.loadsCounted()).isEqualTo(6);
    assertThat(report.loads()).containsExactly(new HotKey("broken", 5, 5.0 / 6), new HotKey("fine", 1, 1.0 / 6));
  }

  @Test
  void countsAreHalvedEveryHalfLifeSoAKeyHotLongAgoFades() {
    CoalescingCache cache = cache(10);
    for (int i = 0; i < 64; i++) {
      clock.advance(Duration.ofMillis(1));
      cache.get("then", String.class, () -> "v");
    }
    clock.advance(Duration.ofMillis(HotKeyReport.HALF_LIFE_MILLIS));
    assertThat(cache.hotKeys().reads()).containsExactly(new HotKey("then", 32, 1.0));

    clock.advance(Duration.ofMillis(HotKeyReport.HALF_LIFE_MILLIS * 7));
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofMillis(1));
      cache.get("now", String.class, () -> "v");
    }
    assertThat(keys(cache.hotKeys().reads())).containsExactly("now");
  }

  @Test
  void zeroKeepsNothing() {
    CoalescingCache cache = cache(0);
    clock.advance(Duration.ofMillis(1));
    cache.get("k", String.class, () -> "v");
    assertThat(cache.hotKeys()).isSameAs(HotKeyReport.NONE);
  }

  /**
   * The stream-summary's guarantees on any stream: a count reported is never more than the key's
   * true count, and a key counted more than total / counters times is always among the counters.
   */
  @Property(tries = 200)
  void neverOverstatesAndKeepsEveryHeavyKey(@ForAll @Size(max = 2_000) List<@IntRange(max = 60) Integer> stream,
      @ForAll @IntRange(min = 1, max = 5) int top) {
    HotKeys.Summary summary = new HotKeys.Summary(top * HotKeys.CANDIDATES_PER_KEY);
    Map<String, Long> truth = new HashMap<>();
    for (Integer k : stream) {
      summary.add("k" + k, 0);
      truth.merge("k" + k, 1L, Long::sum);
    }
    List<HotKey> all = summary.snapshot(Integer.MAX_VALUE, 0).hottest();
    for (HotKey reported : all) {
      assertThat(reported.atLeast()).isLessThanOrEqualTo(truth.get(reported.key()));
    }
    long threshold = stream.size() / (top * HotKeys.CANDIDATES_PER_KEY);
    truth.forEach((key, count) -> {
      if (count > 2 * threshold) { // its counter's overcount is at most the threshold: sure to be above zero
        assertThat(keys(all)).contains(key);
      }
    });
  }
}
