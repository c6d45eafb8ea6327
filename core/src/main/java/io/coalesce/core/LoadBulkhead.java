package io.coalesce.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds how many loads of one cache run at once, across all its keys: after a cold start or an
 * avalanche, a storm of distinct misses reaches the database at most this many at a time. A load
 * that finds no free slot within {@code bulkhead.max-wait} fails with
 * {@link LoadRejectedException} (and {@code stale-if-error} may serve an old value instead). A slot is
 * freed when its load completes, or when the load's flight times out ({@code load-timeout}), so that
 * a loader that never completes does not keep a slot.
 */
final class LoadBulkhead {

  /** No bound. */
  static final LoadBulkhead NONE = new LoadBulkhead(null, null, Duration.ZERO);

  private final String cache;
  private final Semaphore slots;
  private final int maxConcurrent;
  private final long maxWaitNanos;

  private LoadBulkhead(String cache, Integer maxConcurrent, Duration maxWait) {
    this.cache = cache;
    this.maxConcurrent = maxConcurrent == null ? 0 : maxConcurrent;
    this.slots = maxConcurrent == null ? null : new Semaphore(maxConcurrent, true);
    this.maxWaitNanos = maxWait.toNanos();
  }

  static LoadBulkhead of(String cache, CacheSettings.Bulkhead settings) {
    int max = settings.maxConcurrentLoads();
    return max == 0 ? NONE : new LoadBulkhead(cache, max, settings.maxWait());
  }

  /**
   * {@code load}, run only once a slot is free; the slot is freed when the load completes or
   * {@code flight} times out, whichever comes first.
   */
  Load limit(Load load, Flight flight) {
    if (slots == null) {
      return load;
    }
    return () -> {
      try {
        if (!slots.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS)) {
          return CompletableFuture.failedFuture(new LoadRejectedException(cache, maxConcurrent));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CompletableFuture.failedFuture(new CoalesceException(
            "Interrupted while waiting for a free load slot of cache '" + cache + "'", e));
      }
      AtomicBoolean held = new AtomicBoolean(true);
      Runnable free = () -> {
        if (held.compareAndSet(true, false)) {
          slots.release();
        }
      };
      flight.onTimeoutFree(free);
      CompletableFuture<Object> running = load.start();
      running.whenComplete((value, error) -> free.run());
      return running;
    };
  }
}
