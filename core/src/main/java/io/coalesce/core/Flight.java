package io.coalesce.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One load of one key, shared by every caller that arrives while it runs.
 *
 * <p>{@link #result} is completed by the leader with the loaded entry (or the loader's exception).
 * {@link #shared} is the same outcome bounded by {@code load-timeout}: it is what followers wait on,
 * and its completion (success, failure or timeout) ends the flight, so no flight outlives its
 * timeout in the in-flight map.
 */
final class Flight {

  final CompletableFuture<CacheEntry> result = new CompletableFuture<>();
  final CompletableFuture<CacheEntry> shared;
  private final AtomicBoolean recorded = new AtomicBoolean();

  /** Set by a put or evict of the key: the load's result is returned to its callers but not stored. */
  private volatile boolean superseded;

  Flight(Duration loadTimeout) {
    this.shared = result.copy().orTimeout(loadTimeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Set when another instance reported a write of the key while this load ran. A load fenced by the
   * rebuild lock may still store its result: the writer removed the lock, so a lock that survived
   * was taken after the write and the load read the new data.
   */
  private volatile boolean supersededElsewhere;

  void supersede() {
    superseded = true;
  }

  void supersedeElsewhere() {
    supersededElsewhere = true;
  }

  boolean isSupersededElsewhere() {
    return supersededElsewhere;
  }

  boolean isSuperseded() {
    return superseded;
  }

  /** True exactly once per flight: whoever wins records the load's outcome. */
  boolean claimRecord() {
    return recorded.compareAndSet(false, true);
  }
}
