package io.coalesce.redis.internal;

import io.coalesce.core.Ticker;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The writes (puts, evicts, clears) of one cache that Redis acknowledged within the last
 * {@link #WINDOW}: what a failover may have lost. Replication to a replica is asynchronous, so the
 * replica a failover promotes can lack the last writes its master acknowledged; and until the clients
 * follow a manual failover, the old master goes on acknowledging writes its resynchronisation then
 * discards. When another server answers, these keys are evicted again on it. Past {@link #capacity}
 * keys within the window, the whole cache is cleared instead. Thread-safe; bounded.
 */
final class RecentWrites {

  /**
   * How far back a failover can lose writes: the replication lag, plus the time clients of a manual
   * failover keep writing to the old master (Sentinel converts it to a replica about ten seconds
   * after the promotion, closing their connections), with room to spare.
   */
  static final Duration WINDOW = Duration.ofSeconds(30);

  private final int capacity;
  private final Ticker ticker;
  private final long windowNanos = WINDOW.toNanos();
  private final Map<String, Long> writtenAt = new ConcurrentHashMap<>();
  /** When the last clear was acknowledged, or when keys had to be forgotten: the cache is cleared. */
  private volatile long clearAt;
  private volatile boolean clearSeen;

  RecentWrites(int capacity, Ticker ticker) {
    this.capacity = capacity;
    this.ticker = ticker;
  }

  /** Redis acknowledged a write of {@code key}. */
  void wrote(String key) {
    long now = ticker.read();
    writtenAt.put(key, now);
    if (writtenAt.size() > capacity) {
      forgetOlderThan(now - windowNanos);
      if (writtenAt.size() > capacity / 2) {
        cleared(); // too many to replay one by one: a failover clears the cache
      }
    }
  }

  /** Redis acknowledged a clear of the cache (or too many keys were written to remember each). */
  void cleared() {
    clearAt = ticker.read();
    clearSeen = true;
    writtenAt.clear();
  }

  /**
   * Hands what the window holds to {@code pending}, to be replayed on the server that now answers: a
   * clear when one falls within it, otherwise each key.
   */
  void replayInto(PendingWrites pending) {
    long since = ticker.read() - windowNanos;
    if (clearSeen && clearAt - since > 0) {
      pending.clearFailed();
      return;
    }
    writtenAt.forEach((key, at) -> {
      if (at - since > 0) {
        pending.failed(key);
      }
    });
  }

  private void forgetOlderThan(long since) {
    writtenAt.values().removeIf(at -> at - since <= 0);
  }
}
