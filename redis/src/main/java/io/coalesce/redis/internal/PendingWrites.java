package io.coalesce.redis.internal;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The writes (puts, evicts, clears) of one cache that Redis did not take, waiting to be replayed once
 * it answers: by key, each with the number of its latest failed write, so that a replay that
 * succeeds forgets a key only if no write of it failed again meanwhile. Past {@link #capacity} keys,
 * the whole cache is cleared on recovery instead. Thread-safe.
 */
final class PendingWrites {

  private final int capacity;
  private final Map<String, Long> byKey = new ConcurrentHashMap<>();
  private final AtomicLong numbers = new AtomicLong();
  private final AtomicBoolean clear = new AtomicBoolean();

  PendingWrites(int capacity) {
    this.capacity = capacity;
  }

  /** A write of {@code key} failed. */
  void failed(String key) {
    if (byKey.size() < capacity || byKey.containsKey(key)) {
      byKey.put(key, numbers.incrementAndGet());
    } else {
      clear.set(true);
    }
  }

  /** A clear failed (or too many keys to remember): the whole cache is cleared on recovery. */
  void clearFailed() {
    clear.set(true);
  }

  boolean isEmpty() {
    return byKey.isEmpty() && !clear.get();
  }

  /** Keys waiting; a pending clear of the whole cache counts as one. */
  int count() {
    return byKey.size() + (clear.get() ? 1 : 0);
  }

  /**
   * Replays what waits: the clear first, if one does ({@code clearAll}; every key is then done),
   * then the keys, {@code batch} at a time ({@code evictAll}). Stops at the first batch that throws;
   * it and the rest stay pending.
   */
  void replay(Runnable clearAll, Consumer<List<String>> evictAll, int batch) {
    if (clear.getAndSet(false)) {
      try {
        clearAll.run();
        byKey.clear();
      } catch (RuntimeException e) {
        clear.set(true);
        return;
      }
    }
    List<Map.Entry<String, Long>> writes = List.copyOf(byKey.entrySet());
    for (int from = 0; from < writes.size(); from += batch) {
      List<Map.Entry<String, Long>> chunk = writes.subList(from, Math.min(writes.size(), from + batch));
      try {
        evictAll.accept(chunk.stream().map(Map.Entry::getKey).toList());
      } catch (RuntimeException e) {
        return;
      }
      for (Map.Entry<String, Long> write : chunk) {
        byKey.remove(write.getKey(), write.getValue()); // not if it failed again while being replayed
      }
    }
  }
}
