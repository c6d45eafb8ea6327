package io.coalesce.core;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * L1 as the engine writes it: every store carries the version it was written or read under and
 * never replaces a newer one ({@link LocalTier}), and is held for as long as the entry may serve: to
 * the end of its stale window, of the {@code load-timeout} its early refresh may take, or of its
 * {@code stale-if-error-max-age} when a failed load may fall back to it; with a shared tier that
 * answers, at most {@code local.ttl}, so that a lost invalidation cannot keep an old copy alive longer.
 *
 * <p>Without a shared tier, versions come from a counter of this cache: a write takes the next one, a
 * load the one current when it started, so that a load that started before a write cannot replace it.
 */
final class LocalStore {

  private final LocalTier local;
  private final RemoteTier remote;
  private final CacheSettings settings;
  private final Clock clock;
  private final AtomicLong localVersions = new AtomicLong();
  /**
   * The newest clear's version: nothing read or written below it may be stored, until {@code until}
   * (engine millis). With a shared tier, that is the clear's {@link CacheSettings#versionLifetime()}:
   * then its marker expires there, keys not written since read at a lower version again, and no load
   * or copy from before the clear is left to keep out. Without one, versions come from this cache's
   * counter and never go back: the floor holds for good.
   */
  private record Floor(long version, long until) {
    static final Floor NONE = new Floor(Long.MIN_VALUE, Long.MIN_VALUE);
  }

  private final AtomicReference<Floor> floor = new AtomicReference<>(Floor.NONE);

  LocalStore(LocalTier local, RemoteTier remote, CacheSettings settings, Clock clock) {
    this.local = local;
    this.remote = remote;
    this.settings = settings;
    this.clock = clock;
  }

  /** The entry held for {@code key} (the hit path). */
  CacheEntry get(Object key, long now) {
    return local.get(key, now);
  }

  /**
   * The version a load that starts now stores under when the shared tier gives none (there is no
   * shared tier): the current one, so that any write from now on is newer.
   */
  long versionForLoad() {
    return remote.isPresent() ? RemoteTier.UNKNOWN_VERSION : localVersions.get();
  }

  /** The version of a write made here that the shared tier did not give one to. */
  long versionForWrite(long remoteVersion) {
    if (remoteVersion != RemoteTier.UNKNOWN_VERSION) {
      return remoteVersion;
    }
    return remote.isPresent() ? RemoteTier.UNKNOWN_VERSION : localVersions.incrementAndGet();
  }

  /**
   * Stores what {@code flight} loaded (or read) at {@code version}, unless a write superseded the
   * flight, a clear came after that version, or a newer version is held. Each check also follows the
   * store: a write marks the flight superseded (a clear raises the floor) before it changes L1, so
   * whichever comes first, an older value never outlives it.
   *
   * @param flight the load the entry comes from, or {@code null} for a put
   */
  void store(Object key, CacheEntry entry, long version, long dataVersion, Flight flight) {
    store(key, entry, version, dataVersion, flight, retainUntil(entry, remote.isAvailable()));
  }

  /**
   * Stores a value this instance loaded but may not share (the shared tier holds a value of another
   * type for the key, see {@link RemoteTier.Read#foreign()}), or could not share without a Redis call
   * on the thread that completed its load (the executor was full): held for its whole window, as without
   * a shared tier, so that this instance loads it once per window; invalidations still reach it.
   */
  void storeUnshared(Object key, CacheEntry entry, long version, Flight flight) {
    store(key, entry, version, RemoteTier.NO_DATA_VERSION, flight, retainUntil(entry, false));
  }

  private void store(Object key, CacheEntry entry, long version, long dataVersion, Flight flight, long retainUntil) {
    if (refused(version, flight)) {
      return;
    }
    if (local.put(key, entry, version, dataVersion, retainUntil) && refused(version, flight)) {
      local.remove(key, entry);
    }
  }

  void store(Object key, CacheEntry entry, long version, Flight flight) {
    store(key, entry, version, RemoteTier.NO_DATA_VERSION, flight);
  }

  private boolean refused(long version, Flight flight) {
    return (flight != null && !flight.mayServeLocally())
        || (version != RemoteTier.UNKNOWN_VERSION && belowFloor(version));
  }

  private boolean belowFloor(long version) {
    Floor current = floor.get();
    return version < current.version() && clock.millis() < current.until();
  }

  /** {@code key} was written at {@code version}: older copies go, and older stores are refused for a while. */
  void written(Object key, long version) {
    if (version == RemoteTier.UNKNOWN_VERSION) {
      local.evict(key);
    } else {
      local.written(key, version, clock.millis() + settings.local().ttl().toMillis());
    }
  }

  /**
   * Another instance stored a new load of {@code key} at {@code version}: a copy not newer stops
   * being fresh. It was servable, and still is until the end it had ({@link LocalTier#loadedElsewhere}):
   * its next read is served it and refreshes it from the shared tier in the background, rather than
   * every instance's readers waiting for a read of the shared tier once per refresh window.
   */
  void loadedElsewhere(Object key, long version) {
    if (version == RemoteTier.UNKNOWN_VERSION) {
      local.evict(key);
    } else {
      local.loadedElsewhere(key, version, clock.millis());
    }
  }

  /** The cache was cleared at {@code version}: every copy goes, and nothing older may come back. */
  void cleared(long version) {
    if (version != RemoteTier.UNKNOWN_VERSION) {
      long now = clock.millis();
      long until = remote.isPresent() ? now + settings.versionLifetime().toMillis() : Long.MAX_VALUE;
      floor.updateAndGet(current -> current.until() <= now || version >= current.version()
          ? new Floor(version, until)
          // A marker that went back (a failover, Redis' clock): the higher floor stands until its own
          // end, not extended, so that clears coming often cannot keep it for good.
          : current);
    }
    local.clear();
  }

  /** Whether a clear at {@code version} or later (a known version) was applied here, and its floor still holds. */
  boolean clearedAtOrAfter(long version) {
    Floor current = floor.get();
    return version != RemoteTier.UNKNOWN_VERSION && current.version() >= version && clock.millis() < current.until();
  }

  /** Every copy goes (invalidations may have been missed); versions are not known. */
  void clear() {
    local.clear();
  }

  void evict(Object key) {
    local.evict(key);
  }

  /** Removes {@code key} only while it still holds {@code entry}. */
  void remove(Object key, CacheEntry entry) {
    local.remove(key, entry);
  }

  /** The version held for {@code key}, or {@link LocalTier#NO_VERSION}. */
  long version(Object key) {
    return local.version(key);
  }

  /** Copies kept for their whole window while the shared tier failed go back to {@code local.ttl}. */
  void capRetention() {
    local.capRetention(clock.millis() + settings.local().ttl().toMillis());
  }

  long size() {
    return local.size();
  }

  Iterable<Object> keys() {
    return local.keys();
  }

  private long retainUntil(CacheEntry entry, boolean capped) {
    long until = entry.staleUntil();
    if (settings.earlyRefreshBeta() > 0 && entry.loadMillis() > 0) {
      until = Math.max(until, entry.expiresAt() + settings.loadTimeout().toMillis()); // served while its refresh runs
    }
    if (settings.staleIfError() && !entry.isNull()) {
      until = Math.max(until, entry.expiresAt() + settings.staleIfErrorMaxAge().toMillis());
    }
    if (capped) {
      until = Math.min(until, clock.millis() + settings.local().ttl().toMillis());
    }
    return until;
  }
}
