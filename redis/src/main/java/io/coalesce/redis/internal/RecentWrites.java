package io.coalesce.redis.internal;

import io.coalesce.core.Ticker;
import java.time.Duration;

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

  private final Ticker ticker;
  private final RecentKeys<String> written;
  /** When the last clear was acknowledged; at first, just outside the window. */
  private volatile long clearAt;

  RecentWrites(int capacity, Ticker ticker) {
    this.ticker = ticker;
    this.written = new RecentKeys<>(WINDOW, capacity, ticker);
    this.clearAt = ticker.read() - WINDOW.toNanos();
  }

  /** Redis acknowledged a write of {@code key}. */
  void wrote(String key) {
    written.add(key);
  }

  /** Redis acknowledged a clear of the cache. */
  void cleared() {
    clearAt = ticker.read();
    written.clear();
  }

  /**
   * Hands what the window holds to {@code pending}, to be replayed on the server that now answers: a
   * clear when one falls within it (or more keys were written than it keeps), otherwise each key.
   */
  void replayInto(PendingWrites pending) {
    if (ticker.read() - clearAt < WINDOW.toNanos() || written.overflowedWithinWindow()) {
      pending.clearFailed();
      return;
    }
    written.forEachWithinWindow(pending::failed);
  }
}
