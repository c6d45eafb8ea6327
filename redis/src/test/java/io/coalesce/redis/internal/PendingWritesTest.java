package io.coalesce.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The writes Redis did not take are replayed, and none is forgotten while being replayed. */
class PendingWritesTest {

  final PendingWrites pending = new PendingWrites(3);
  final List<String> replayed = new ArrayList<>();

  /**
   * A write of a key that fails again while that key's earlier failed write is being replayed stays
   * pending (issue 25, defect 8: the replay removed the key after a concurrent remember, so the newer
   * failed write was never replayed and other instances kept the value it replaced).
   */
  @Test
  void aWriteThatFailsWhileItsKeyIsBeingReplayedStaysPending() {
    pending.failed("k");

    pending.replay(() -> {}, key -> {
      replayed.add(key);
      pending.failed(key); // the same key's next write fails, concurrently with this replay
    });

    assertThat(pending.count()).isEqualTo(1);
    pending.replay(() -> {}, replayed::add);
    assertThat(replayed).containsExactly("k", "k");
    assertThat(pending.isEmpty()).isTrue();
  }

  @Test
  void aReplayStopsAtTheFirstFailureAndKeepsTheRest() {
    pending.failed("a");
    pending.failed("b");
    pending.replay(() -> {}, key -> {
      throw new IllegalStateException("Redis is down again");
    });
    assertThat(pending.count()).isEqualTo(2);
  }

  @Test
  void pastItsCapacityTheWholeCacheIsClearedOnRecovery() {
    for (String key : List.of("a", "b", "c", "d")) {
      pending.failed(key);
    }
    List<String> cleared = new ArrayList<>();
    pending.replay(() -> cleared.add("all"), replayed::add);
    assertThat(cleared).containsExactly("all");
    assertThat(replayed).isEmpty();
    assertThat(pending.isEmpty()).isTrue();
  }
}
