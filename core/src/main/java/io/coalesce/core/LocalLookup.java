package io.coalesce.core;

import io.coalesce.core.CacheListener.GetResult;

/**
 * The first step of every read ({@code get}, {@code getAsync}, {@code getAll}): what L1 holds for a
 * key decides whether the read is answered here, and records it. Allocates nothing: the answer is a
 * constant, the entry stays with the caller.
 */
final class LocalLookup {

  /** What L1 holds for a key, as a read sees it. */
  enum Found {
    /** Fresh: served. */
    FRESH(false),
    /** Fresh, and near enough its expiry to be refreshed early: served, one refresh starts. */
    REFRESH_EARLY(true),
    /** Past its ttl, within its stale window: served, one refresh starts. */
    STALE(true),
    /** Past its windows while the refresh that started before it expired still runs: served. */
    REFRESHING(false),
    /** Nothing (or only a write's mark): the read goes on, past the Bloom guard. */
    NOTHING(false),
    /** Held but past serving: the read goes on, keeping it for {@code stale-if-error}. */
    EXPIRED(false);

    private final boolean refresh;

    Found(boolean refresh) {
      this.refresh = refresh;
    }

    /** Whether the read is answered from L1. */
    boolean served() {
      return this != NOTHING && this != EXPIRED;
    }

    /** Whether a background refresh starts. */
    boolean refreshes() {
      return refresh;
    }

    CacheListener.RefreshTrigger trigger() {
      return this == STALE ? CacheListener.RefreshTrigger.STALE : CacheListener.RefreshTrigger.EARLY;
    }
  }

  private final CacheSettings settings;
  private final EntryPolicy policy;
  private final SingleFlight flights;
  private final CacheListener listener;
  private final DriftCheck drift;
  private final HotKeys hotKeys;
  /** How often keys are read, for the early refresh of rare ones; {@code null} when nothing is refreshed early. */
  private final ReadGaps readGaps;
  /**
   * When the next L1 hit may be sampled for drift ({@link Long#MAX_VALUE}: never): the one compare
   * the hit path pays for the check. Not volatile: a thread that reads an old value only samples a
   * hit early or late.
   */
  private long nextDriftSampleAt;

  LocalLookup(CacheSettings settings, EntryPolicy policy, SingleFlight flights, CacheListener listener,
      DriftCheck drift, HotKeys hotKeys, ReadGaps readGaps) {
    this.settings = settings;
    this.readGaps = readGaps;
    this.hotKeys = hotKeys;
    this.policy = policy;
    this.flights = flights;
    this.listener = listener;
    this.drift = drift;
    this.nextDriftSampleAt = drift.enabled() ? 0 : Long.MAX_VALUE;
  }

  /** What {@code held}, the entry L1 holds for {@code key} at {@code now} (or {@code null}), is for a read. */
  Found classify(Object key, CacheEntry held, long now) {
    hotKeys.read(key, now);
    long readGap = readGaps == null ? 0 : readGaps.read(key, now);
    if (held != null && held.isFresh(now)) { // the hit path: kept small, so that it inlines
      listener.onGet(GetResult.L1_HIT);
      if (now >= nextDriftSampleAt && drift.sample(key, held)) {
        nextDriftSampleAt = now + DriftCheck.SPACING;
      }
      return policy.shouldRefreshEarly(held, now, readGap) ? Found.REFRESH_EARLY : Found.FRESH;
    }
    return classifyUnfresh(key, held, now);
  }

  private Found classifyUnfresh(Object key, CacheEntry held, long now) {
    if (held == null) {
      return Found.NOTHING;
    }
    if (held.isServable(now)) {
      listener.onGet(GetResult.STALE);
      return Found.STALE;
    }
    if (beingRefreshed(key, held, now)) {
      listener.onGet(GetResult.STALE);
      return Found.REFRESHING;
    }
    return Found.EXPIRED;
  }

  /**
   * Whether {@code held}, past its ttl (and stale window), is still being refreshed by a refresh
   * that started before it expired: it is served until that refresh ends, at most
   * {@code load-timeout} past its ttl, so that the early refresh meant to spare callers a wait never
   * makes them wait because the load took longer than the last one.
   */
  private boolean beingRefreshed(Object key, CacheEntry held, long now) {
    if (now - held.expiresAt() >= settings.loadTimeout().toMillis()) {
      return false;
    }
    Flight running = flights.joinable(key);
    return running != null && running.refreshes(held);
  }
}
