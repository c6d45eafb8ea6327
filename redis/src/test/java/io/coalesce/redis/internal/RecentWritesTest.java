package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What a failover may have lost is what was written within the window: replayed, and nothing older. */
class RecentWritesTest {

  final AtomicLong now = new AtomicLong(1_000);
  final RecentWrites recent = new RecentWrites(4, now::get);
  final PendingWrites pending = new PendingWrites(100);

  @Test
  void keysWrittenWithinTheWindowAreReplayedAndOlderOnesNot() {
    recent.wrote("old");
    advanceSeconds(RecentWrites.WINDOW.toSeconds() - 1);
    recent.wrote("recent");
    advanceSeconds(2);

    assertThat(replayed()).containsExactly("recent");
    assertThat(cleared()).isFalse();
  }

  @Test
  void aClearWithinTheWindowIsReplayedAsAClear() {
    recent.wrote("a");
    recent.cleared();
    recent.wrote("b");

    assertThat(cleared()).isTrue();
  }

  @Test
  void aClearOlderThanTheWindowIsNot() {
    recent.cleared();
    advanceSeconds(RecentWrites.WINDOW.toSeconds() + 1);
    recent.wrote("b");

    assertThat(replayed()).containsExactly("b");
    assertThat(cleared()).isFalse();
  }

  @Test
  void moreKeysWithinTheWindowThanItKeepsClearTheCache() {
    for (String key : List.of("a", "b", "c", "d", "e")) {
      recent.wrote(key);
    }

    assertThat(cleared()).isTrue();
  }

  @Test
  void keysOlderThanTheWindowMakeRoomInsteadOfClearing() {
    for (String key : List.of("a", "b", "c", "d")) {
      recent.wrote(key);
    }
    advanceSeconds(RecentWrites.WINDOW.toSeconds() + 1);
    recent.wrote("e");

    assertThat(replayed()).containsExactly("e");
    assertThat(cleared()).isFalse();
  }

  private void advanceSeconds(long seconds) {
    now.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
  }

  private List<String> replayed() {
    recent.replayInto(pending);
    List<String> keys = new ArrayList<>();
    pending.replay(() -> keys.add("<clear>"), keys::addAll, 100);
    return keys;
  }

  private boolean cleared() {
    recent.replayInto(pending);
    List<String> keys = new ArrayList<>();
    pending.replay(() -> keys.add("<clear>"), keys::addAll, 100);
    return keys.contains("<clear>");
  }
}
