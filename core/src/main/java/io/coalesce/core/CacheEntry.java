package io.coalesce.core;

/**
 * A cached value (or "not found") with its logical expiry. Immutable; times are epoch millis from
 * the engine's clock.
 *
 * <ul>
 *   <li>{@code now < expiresAt}: fresh, served as is;
 *   <li>{@code expiresAt <= now < staleUntil}: stale, served while one refresh runs;
 *   <li>{@code now >= staleUntil}: expired; callers wait for a load (a tier may still hold it so
 *       that {@code stale-if-error} can fall back to it).
 * </ul>
 *
 * @param value the value, {@code null} for a cached "not found"
 * @param writtenAt when the value was loaded or put
 * @param expiresAt end of the fresh window
 * @param staleUntil end of the stale window ({@code >= expiresAt})
 * @param loadMillis how long the load took; the early-refresh scale
 */
public record CacheEntry(Object value, long writtenAt, long expiresAt, long staleUntil, long loadMillis) {

  public CacheEntry {
    if (expiresAt < writtenAt || staleUntil < expiresAt || loadMillis < 0) {
      throw new IllegalArgumentException("inconsistent entry times: writtenAt=" + writtenAt
          + ", expiresAt=" + expiresAt + ", staleUntil=" + staleUntil + ", loadMillis=" + loadMillis);
    }
  }

  /** Whether this entry is a cached "not found". */
  public boolean isNull() {
    return value == null;
  }

  /** Whether the value is within its ttl at {@code now}. */
  public boolean isFresh(long now) {
    return now < expiresAt;
  }

  /** Whether the value may be served at {@code now}, fresh or stale. */
  public boolean isServable(long now) {
    return now < staleUntil;
  }

  @Override
  public String toString() {
    return "CacheEntry{" + (value == null ? "null" : value.getClass().getSimpleName())
        + ", writtenAt=" + writtenAt + ", expiresAt=" + expiresAt + ", staleUntil=" + staleUntil + "}";
  }
}
