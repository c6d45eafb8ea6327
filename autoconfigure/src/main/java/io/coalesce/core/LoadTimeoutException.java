package io.coalesce.core;

import java.time.Duration;

/**
 * Thrown to a caller that waited {@code load-timeout} for a load started by another caller. The
 * load itself is not cancelled: when it finishes, its value is stored for later callers.
 */
public class LoadTimeoutException extends CoalesceException {

  private static final long serialVersionUID = 1L;

  public LoadTimeoutException(String cache, Object key, Duration timeout) {
    super("Load of key '" + key + "' in cache '" + cache + "' did not finish within load-timeout "
        + timeout + "; speed up the loader or raise coalesce.caches." + cache + ".load-timeout");
  }
}
