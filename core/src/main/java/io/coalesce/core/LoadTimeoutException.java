package io.coalesce.core;

import java.time.Duration;

/**
 * Thrown to a caller that waited {@code load-timeout} for a load started by another caller, or
 * {@code lock.wait} for another instance's load when {@code lock.on-timeout} is {@code fail}. The
 * load itself is not cancelled: when it finishes, its value is stored for later callers.
 */
public class LoadTimeoutException extends CoalesceException {

  private static final long serialVersionUID = 1L;

  public LoadTimeoutException(String cache, Object key, Duration timeout) {
    super("Load of key '" + key + "' in cache '" + cache + "' did not finish within load-timeout "
        + timeout + "; speed up the loader or raise coalesce.caches." + cache + ".load-timeout");
  }

  private LoadTimeoutException(String message) {
    super(message);
  }

  /** Another instance held the key's rebuild lock for all of {@code lock.wait} and nothing arrived. */
  static LoadTimeoutException lockWait(String cache, Object key, Duration wait) {
    return new LoadTimeoutException("Another instance has been loading key '" + key + "' in cache '" + cache
        + "' for longer than lock.wait " + wait + " and lock.on-timeout is 'fail'; speed up the loader, raise "
        + "coalesce.caches." + cache + ".lock.wait (below load-timeout), or set lock.on-timeout to 'load'");
  }
}
