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

    pending.replay(() -> {}, keys -> {
      replayed.addAll(keys);
      keys.forEach(pending::failed); // the same key's next write fails, concurrently with this replay
    }, 10);

    assertThat(pending.count()).isEqualTo(1);
    pending.replay(() -> {}, replayed::addAll, 10);
    assertThat(replayed).containsExactly("k", "k");
    assertThat(pending.isEmpty()).isTrue();
  }

  @Test
  void aReplayStopsAtTheFirstFailedBatchAndKeepsItAndTheRest() {
    pending.failed("a");
    pending.failed("b");
    pending.failed("c");
    List<List<String>> batches = new ArrayList<>();
    pending.replay(() -> {}, keys -> {
      batches.add(keys);
      if (batches.size() == 2) {
        throw new IllegalStateException("Redis is down again");
      }
    }, 1);
    assertThat(batches).hasSize(2);
    assertThat(pending.count()).isEqualTo(2);
  }

  @Test
  void pastItsCapacityTheWholeCacheIsClearedOnRecovery() {
    for (String key : List.of("a", "b", "c", "d")) {
      pending.failed(key);
    }
    List<String> cleared = new ArrayList<>();
    pending.replay(() -> cleared.add("all"), replayed::addAll, 10);
    assertThat(cleared).containsExactly("all");
    assertThat(replayed).isEmpty();
    assertThat(pending.isEmpty()).isTrue();
  }
}
