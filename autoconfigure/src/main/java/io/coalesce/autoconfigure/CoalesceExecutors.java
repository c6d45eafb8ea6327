package io.coalesce.autoconfigure;

import io.coalesce.core.HandOffExecutor;
import java.util.concurrent.ExecutorService;

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

  void shutdown() {
    refresh.shutdown();
    writes.shutdown();
    localMaintenance.shutdown();
  }
}
