package io.coalesce.redis.internal;

import io.coalesce.core.Ticker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The keys added within the last {@code window}, at most {@code capacity} of them: past that, keys
 * older than the window are forgotten and, if that does not make room, all of them, which
 * {@link #overflowedWithinWindow()} then reports for a window's time. Thread-safe; bounded.
 */
final class RecentKeys<K> {

  private final long windowNanos;
  private final int capacity;
  private final Ticker ticker;
  private final Map<K, Long> addedAt = new ConcurrentHashMap<>();
  /** When keys were last forgotten for want of room; at first, just outside the window. */
  private volatile long overflowAt;

  RecentKeys(Duration window, int capacity, Ticker ticker) {
    this.windowNanos = window.toNanos();
    this.capacity = capacity;
    this.ticker = ticker;
    this.overflowAt = ticker.read() - windowNanos;
  }

  void add(K key) {
    long now = ticker.read();
    addedAt.put(key, now);
    if (addedAt.size() > capacity) {
      addedAt.values().removeIf(at -> now - at > windowNanos);
      if (addedAt.size() > capacity / 2) {
        overflowAt = now;
        addedAt.clear();
      }
    }
  }

  /** Whether keys added within the window were forgotten for want of room. */
  boolean overflowedWithinWindow() {
    return within(overflowAt, ticker.read());
  }

  /** Each key added within the window. */
  void forEachWithinWindow(Consumer<K> action) {
    long now = ticker.read();
    addedAt.forEach((key, at) -> {
      if (within(at, now)) {
        action.accept(key);
      }
    });
  }

  void clear() {
    addedAt.clear();
  }

  private boolean within(long at, long now) {
    return now - at < windowNanos;
  }
}
