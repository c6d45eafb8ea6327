package io.coalesce.core;

/** A load that found its cache's bulkhead full: the cache already ran its maximum of loads. */
public class LoadRejectedException extends CoalesceException {

  public LoadRejectedException(String cache, int maxConcurrent) {
    super("Cache '" + cache + "' already runs " + maxConcurrent + " loads (bulkhead.max-concurrent-loads) "
        + "and none finished within bulkhead.max-wait; the load was not started. Retry later, or raise "
        + "the limit if the database can take more");
  }
}
