package io.coalesce.core;

import java.lang.reflect.Type;
import java.time.Duration;

/** {@link RemoteTier#NONE}: no shared tier, every instance stands alone. */
final class NoRemoteTier implements RemoteTier {

  @Override
  public Read read(String key, Type type) {
    return Read.UNAVAILABLE;
  }

  @Override
  public Written put(String key, CacheEntry entry, Type type, long dataVersion) {
    return Written.UNAVAILABLE;
  }

  @Override
  public Stored writeBack(String key, CacheEntry entry, Type type, long readVersion, Lease lease) {
    return Stored.UNAVAILABLE;
  }

  @Override
  public Lease tryLock(String key) {
    return Lease.UNAVAILABLE;
  }

  @Override
  public void release(Lease lease) {}

  @Override
  public Read awaitLoaded(String key, Type type, Duration wait, long newerThan) {
    return Read.UNAVAILABLE;
  }

  @Override
  public Written evict(String key) {
    return Written.UNAVAILABLE;
  }

  @Override
  public Written clear() {
    return Written.UNAVAILABLE;
  }

  @Override
  public void onInvalidation(Invalidations listener) {}

  @Override
  public boolean isPresent() {
    return false;
  }}
