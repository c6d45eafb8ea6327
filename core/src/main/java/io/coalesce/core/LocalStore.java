package io.coalesce.core;

/**
 * Stores entries in L1 for as long as they may serve: to the end of their stale window, of the
 * {@code load-timeout} their early refresh may take, or of their {@code stale-if-error-max-age} when a
 * failed load may fall back to them; with a shared tier that
 * answers, at most {@code local.ttl}, so that a lost invalidation cannot keep an old copy alive longer.
 */
final class LocalStore {

  private final LocalTier local;
  private final RemoteTier remote;
  private final CacheSettings settings;
  private final java.time.Clock clock;

  LocalStore(LocalTier local, RemoteTier remote, CacheSettings settings, java.time.Clock clock) {
    this.local = local;
    this.remote = remote;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * Stores what {@code flight} loaded, unless a write superseded it. The check follows the store:
   * a write marks the flight superseded before it removes the L1 copy, so whichever comes first, an
   * older value never outlives the write.
   *
   * @param flight the load the entry comes from, or {@code null} for a put
   */
  void store(Object key, CacheEntry entry, Flight flight) {
    if (flight != null && flight.isSuperseded()) {
      return;
    }
    local.put(key, entry, retainUntil(entry));
    if (flight != null && flight.isSuperseded()) {
      local.remove(key, entry);
    }
  }

  private long retainUntil(CacheEntry entry) {
    long until = entry.staleUntil();
    if (settings.earlyRefreshBeta() > 0 && entry.loadMillis() > 0) {
      until = Math.max(until, entry.expiresAt() + settings.loadTimeout().toMillis()); // served while its refresh runs
    }
    if (settings.staleIfError() && !entry.isNull()) {
      until = Math.max(until, entry.expiresAt() + settings.staleIfErrorMaxAge().toMillis());
    }
    if (remote.isAvailable()) {
      until = Math.min(until, clock.millis() + settings.local().ttl().toMillis());
    }
    return until;
  }
}
