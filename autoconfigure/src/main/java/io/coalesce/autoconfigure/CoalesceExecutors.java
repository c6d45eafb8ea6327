package io.coalesce.autoconfigure;

import io.coalesce.core.HandOffExecutor;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The pools Coalesce runs its own work on, owned by the cache manager (shut down with it) rather than
 * beans: an {@code Executor} bean would make Spring Boot's own {@code applicationTaskExecutor} back
 * off. Their threads are all named {@code coalesce-*}, which {@code CoalesceBlockHoundIntegration}
 * lets wait; every hand-off to them is lock-free ({@link HandOffExecutor}), since reactive subscribers'
 * threads and drivers' event loops make it.
 *
 * @param refresh background refreshes and the Redis work of asynchronous loads; bounded on both
 *     sides: a refresh that finds the pool and queue full is dropped, which is harmless (the stale
 *     value keeps being served and the next read retries), and an asynchronous load is rejected
 * @param writes the cache writes of asynchronous and reactive puts and evicts, after the method's
 *     future or publisher completed: its queue has no bound, since a write is never dropped (the
 *     circuit breaker keeps each one short while Redis is down)
 * @param localMaintenance Caffeine's maintenance of every L1 (eviction, draining its buffers), which
 *     waits for a cache's eviction lock; it holds at most one task per cache at a time
 */
record CoalesceExecutors(ExecutorService refresh, ExecutorService writes, ExecutorService localMaintenance) {

  static CoalesceExecutors create(CoalesceProperties.Refresh refresh) {
    return new CoalesceExecutors(
        new HandOffExecutor(refresh.effectiveThreads(), refresh.getQueueCapacity(), "coalesce-refresh-"),
        new HandOffExecutor(2, Integer.MAX_VALUE, "coalesce-write-"),
        new HandOffExecutor(1, 4_096, "coalesce-l1-"));
  }

  /**
   * Stops taking work. The writes already handed over still run, and are waited for (at most
   * {@link #WRITES_DRAIN}) so that they reach Redis before its connection closes: the manager that
   * calls this is destroyed before the Redis connection factory it depends on.
   */
  void shutdown() {
    refresh.shutdown();
    localMaintenance.shutdown();
    writes.shutdown();
    try {
      if (!writes.awaitTermination(WRITES_DRAIN.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "Coalesce: cache writes still queued " + WRITES_DRAIN.toSeconds() + " s after shutdown began "
            + "are dropped; L1 copies elsewhere expire by their local.ttl");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** How long a shutdown waits for the cache writes already handed over. */
  static final Duration WRITES_DRAIN = Duration.ofSeconds(10);

  private static final System.Logger LOG = System.getLogger(CoalesceExecutors.class.getName());
}
