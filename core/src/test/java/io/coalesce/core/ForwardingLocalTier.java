package io.coalesce.core;

/** For tests: a {@link LocalTier} that forwards every call, for a test to change one. */
class ForwardingLocalTier implements LocalTier {

  private final LocalTier delegate;

  ForwardingLocalTier(LocalTier delegate) {
    this.delegate = delegate;
  }

  @Override
  public CacheEntry get(Object key, long now) {
    return delegate.get(key, now);
  }

  @Override
  public boolean put(Object key, CacheEntry entry, long version, long dataVersion, long retainUntil) {
    return delegate.put(key, entry, version, dataVersion, retainUntil);
  }

  @Override
  public void written(Object key, long version, long retainUntil) {
    delegate.written(key, version, retainUntil);
  }

  @Override
  public void dropUpTo(Object key, long version) {
    delegate.dropUpTo(key, version);
  }

  @Override
  public long version(Object key) {
    return delegate.version(key);
  }

  @Override
  public boolean remove(Object key, CacheEntry entry) {
    return delegate.remove(key, entry);
  }

  @Override
  public void evict(Object key) {
    delegate.evict(key);
  }

  @Override
  public void clear() {
    delegate.clear();
  }

  @Override
  public long size() {
    return delegate.size();
  }
}
