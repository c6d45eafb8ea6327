package io.coalesce.core;

import java.lang.System.Logger.Level;

/**
 * Shields the read path from a failing {@link CacheListener}: its exceptions are logged (the first
 * at WARNING, later ones at DEBUG so that a broken listener cannot flood the log) and swallowed.
 */
final class GuardedListener implements CacheListener {

  private static final System.Logger LOG = System.getLogger(GuardedListener.class.getName());

  private final CacheListener delegate;
  private final String cache;
  private volatile boolean warned;

  private GuardedListener(CacheListener delegate, String cache) {
    this.delegate = delegate;
    this.cache = cache;
  }

  static CacheListener guard(CacheListener listener, String cache) {
    return listener == CacheListener.NONE || listener instanceof GuardedListener
        ? listener
        : new GuardedListener(listener, cache);
  }

  @Override
  public void onGet(GetResult result) {
    try {
      delegate.onGet(result);
    } catch (Throwable t) {
      failed(t);
    }
  }

  @Override
  public void onLoad(LoadOutcome outcome, long nanos) {
    try {
      delegate.onLoad(outcome, nanos);
    } catch (Throwable t) {
      failed(t);
    }
  }

  @Override
  public void onCoalesced() {
    try {
      delegate.onCoalesced();
    } catch (Throwable t) {
      failed(t);
    }
  }

  @Override
  public void onLock(LockResult result) {
    try {
      delegate.onLock(result);
    } catch (Throwable t) {
      failed(t);
    }
  }

  @Override
  public void onRefresh(RefreshTrigger trigger) {
    try {
      delegate.onRefresh(trigger);
    } catch (Throwable t) {
      failed(t);
    }
  }

  @Override
  public void onStaleServedOnError() {
    try {
      delegate.onStaleServedOnError();
    } catch (Throwable t) {
      failed(t);
    }
  }

  @Override
  public void onDrift() {
    try {
      delegate.onDrift();
    } catch (Throwable t) {
      failed(t);
    }
  }

  private void failed(Throwable t) {
    if (!warned) {
      warned = true;
      LOG.log(Level.WARNING, "Cache listener " + delegate.getClass().getName() + " of cache '" + cache
          + "' failed; its records are lost but reads go on (later failures are logged at DEBUG)", t);
    } else {
      LOG.log(Level.DEBUG, "Cache listener of cache '" + cache + "' failed again", t);
    }
  }
}
