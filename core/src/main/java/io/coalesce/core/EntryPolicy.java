package io.coalesce.core;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Decides entry lifetimes: jittered ttl, stale window, null ttl, and the early refresh point.
 * Pure functions of the settings, the time and an injected random source (for the jitter).
 */
final class EntryPolicy {

  private final long ttlMillis;
  private final double jitter;
  private final long staleMillis;
  private final long nullTtlMillis;
  private final double beta;
  private final RandomGenerator random;

  EntryPolicy(CacheSettings settings, RandomGenerator random) {
    this.ttlMillis = settings.ttl().toMillis();
    this.jitter = settings.jitter();
    this.staleMillis = settings.staleTtl().toMillis();
    this.nullTtlMillis = settings.nullTtl().toMillis();
    this.beta = settings.earlyRefreshBeta();
    this.random = random;
  }

  /** Whether a loaded value should be stored at all ("not found" with null-ttl 0 is not). */
  boolean isCacheable(Object value) {
    return value != null || nullTtlMillis > 0;
  }

  /** The entry for a value loaded (or put) at {@code now} whose load took {@code loadMillis}. */
  CacheEntry entryFor(Object value, long now, long loadMillis) {
    if (value == null) {
      long expiresAt = now + jittered(nullTtlMillis);
      return new CacheEntry(null, now, expiresAt, expiresAt, loadMillis);
    }
    long expiresAt = now + jittered(ttlMillis);
    return new CacheEntry(value, now, expiresAt, expiresAt + staleMillis, loadMillis);
  }

  /** A duration spread uniformly over {@code [d·(1−jitter), d·(1+jitter)]}. */
  long jittered(long millis) {
    if (jitter == 0) {
      return millis;
    }
    double factor = 1 + jitter * (2 * random.nextDouble() - 1);
    return Math.max(1, Math.round(millis * factor));
  }

  /**
   * Refresh-ahead: a fresh entry is refreshed in the background once less than {@code beta} times
   * the load that produced it remains of its ttl (never earlier than half-way through it), or, for a
   * key read rarely, less than {@link #READ_GAPS_AHEAD} times the average gap between its reads
   * (never earlier than three quarters of the way through it).
   *
   * <p>The first point is the same for every read and every instance, so a hot key is refreshed once
   * per window however often it is read (the refresh's single flight and rebuild lock see to that).
   * Per-read XFetch draws, which this replaced, fired earlier the more often a key was read: at 32
   * reads per millisecond a 1 s ttl was refreshed about 370 ms early (15 loads in 10 windows).
   *
   * <p>The second is for a key read less often than once per load time, whose reads would mostly miss
   * the first point and find the entry expired: a key read once a minute is refreshed at the read
   * that comes within three minutes of its expiry, so a steady reader never waits. A key read less
   * often than every twelfth of its ttl is refreshed at a read in the last quarter of it. Only reads
   * start refreshes, so a key nobody reads is never loaded; a key that is read costs at most one load
   * per three quarters of a ttl.
   *
   * @param readGap the average gap between the key's reads, in milliseconds (0: not known)
   */
  boolean shouldRefreshEarly(CacheEntry entry, long now, long readGap) {
    long lead = refreshLead(entry, readGap);
    return lead > 0 && entry.expiresAt() - now <= lead;
  }

  /** How many average gaps between a key's reads ahead of its expiry a rarely read key is refreshed. */
  static final int READ_GAPS_AHEAD = 3;

  /** How long before its expiry an entry's refresh starts (0: never early). */
  long refreshLead(CacheEntry entry, long readGap) {
    if (beta == 0 || entry.loadMillis() == 0) {
      return 0;
    }
    long window = entry.expiresAt() - entry.writtenAt();
    long forTheLoad = Math.min((long) Math.ceil(entry.loadMillis() * beta), window / 2);
    long forTheReads = Math.min(readGap * READ_GAPS_AHEAD, window / 4);
    return Math.max(forTheLoad, forTheReads);
  }

  /** Whether entries are ever refreshed early (reads then need their gaps recorded). */
  boolean refreshesEarly() {
    return beta > 0;
  }

  /** Human-readable ttl used in messages. */
  Duration ttl() {
    return Duration.ofMillis(ttlMillis);
  }
}
