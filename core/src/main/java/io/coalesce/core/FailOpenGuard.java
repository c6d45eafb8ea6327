package io.coalesce.core;

import java.lang.System.Logger.Level;

/**
 * Shields the read path from a failing {@link PenetrationGuard}: an exception means "may exist" for
 * a check and is ignored for an addition (logged once at WARNING, then at DEBUG).
 */
final class FailOpenGuard implements PenetrationGuard {

  private static final System.Logger LOG = System.getLogger(FailOpenGuard.class.getName());

  private final PenetrationGuard delegate;
  private final String cache;
  private volatile boolean warned;

  private FailOpenGuard(PenetrationGuard delegate, String cache) {
    this.delegate = delegate;
    this.cache = cache;
  }

  static PenetrationGuard of(PenetrationGuard guard, String cache) {
    return guard == PenetrationGuard.NONE || guard instanceof FailOpenGuard ? guard : new FailOpenGuard(guard, cache);
  }

  @Override
  public boolean mightContain(String key) {
    try {
      return delegate.mightContain(key);
    } catch (RuntimeException e) {
      failed(e);
      return true;
    }
  }

  @Override
  public void add(String key) {
    try {
      delegate.add(key);
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void retryFailedAdditions() {
    try {
      delegate.retryFailedAdditions();
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  private void failed(RuntimeException e) {
    if (!warned) {
      warned = true;
      LOG.log(Level.WARNING, "Penetration guard of cache '" + cache + "' failed; keys pass it until it works "
          + "(later failures are logged at DEBUG)", e);
    } else {
      LOG.log(Level.DEBUG, "Penetration guard of cache '" + cache + "' failed again", e);
    }
  }
}
