package io.coalesce.core;

/**
 * A load that was not started: its cache's bulkhead was full (the cache already ran its maximum of
 * loads), or, for an asynchronous or reactive caller, the executor that runs loads was saturated.
 */
public class LoadRejectedException extends CoalesceException {

  public LoadRejectedException(String cache, int maxConcurrent) {
    super("Cache '" + cache + "' already runs " + maxConcurrent + " loads (bulkhead.max-concurrent-loads) "
        + "and none finished within bulkhead.max-wait; the load was not started. Retry later, or raise "
        + "the limit if the database can take more");
  }

  private LoadRejectedException(String message, Throwable cause) {
    super(message, cause);
  }

  /** An asynchronous load the executor could not take: every thread busy, its queue full. */
  static LoadRejectedException saturated(String cache, Throwable cause) {
    return new LoadRejectedException("The load of an asynchronous or reactive caller of cache '" + cache + "' was "
        + "not started: Coalesce's executor is saturated (" + cause.getMessage() + "). Retry later, or raise "
        + "coalesce.refresh.threads / coalesce.refresh.queue-capacity", cause);
  }
}
