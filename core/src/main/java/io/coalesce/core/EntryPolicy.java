package io.coalesce.core;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Decides entry lifetimes: jittered ttl, stale window, null ttl, and XFetch probabilistic early
 * refresh. Pure functions of the settings, the time and an injected random source.
 */
final class EntryPolicy {

  /** −ln(u) for the smallest u that {@code 1 − nextDouble()} yields (2^−53). */
  private static final double MAX_NEG_LOG_U = 53 * Math.log(2);

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
   * XFetch (Vattani et al.): refresh a fresh entry early when
   * {@code now − loadMillis·beta·ln(u) ≥ expiresAt} for u uniform in (0, 1]. Keys that take longer
   * to load, and keys read more often, are refreshed earlier; a stampede at expiry becomes one
   * early refresh.
   */
  boolean shouldRefreshEarly(CacheEntry entry, long now) {
    if (beta == 0 || entry.loadMillis() == 0) {
      return false;
    }
    double scale = entry.loadMillis() * beta;
    if (entry.expiresAt() - now > scale * MAX_NEG_LOG_U) {
      return false; // too far from expiry for any draw to trigger: skip the random draw on hot hits
    }
    double u = 1.0 - random.nextDouble(); // (0, 1]: ln(0) would be -infinity
    return now - scale * Math.log(u) >= entry.expiresAt();
  }

  /** Human-readable ttl used in messages. */
  Duration ttl() {
    return Duration.ofMillis(ttlMillis);
  }
}
