package io.coalesce.core;

import java.lang.reflect.Type;

/**
 * What {@link CoalescingCache#lookUp} found for a key: the entry cached, or a miss that remembers
 * the key's version as that read saw it, so that a value the caller then loads itself is stored by
 * {@link CoalescingCache#putLoaded} only if nothing wrote the key in between.
 */
public final class Lookup {

  final Object owner;
  private final Object key;
  private final CacheEntry entry;
  final Type type;
  final long version;
  final boolean shared;
  final long stamp;
  final long missedAt;

  private Lookup(Object owner, Object key, CacheEntry entry, Type type, long version, boolean shared, long stamp,
      long missedAt) {
    this.owner = owner;
    this.key = key;
    this.entry = entry;
    this.type = type;
    this.version = version;
    this.shared = shared;
    this.stamp = stamp;
    this.missedAt = missedAt;
  }

  static Lookup found(Object owner, Object key, CacheEntry entry) {
    return new Lookup(owner, key, entry, null, RemoteTier.UNKNOWN_VERSION, false, 0, 0);
  }

  /**
   * @param owner the cache that read
   * @param version the key's version when the read missed (the shared tier's, or this cache's own
   *     counter without one), {@link RemoteTier#UNKNOWN_VERSION} when the shared tier did not answer
   * @param shared whether the value loaded next may be written to the shared tier: not when it holds
   *     a value of another type for the key that may still serve ({@link RemoteTier.Read#foreign()})
   * @param stamp the key's write stamp before the read ({@link WriteStamps})
   * @param missedAt when, in epoch millis of the engine's clock
   */
  static Lookup missed(Object owner, Object key, Type type, long version, boolean shared, long stamp,
      long missedAt) {
    return new Lookup(owner, key, null, type, version, shared, stamp, missedAt);
  }

  /** The key as the cache holds it. */
  Object key() {
    return key;
  }

  /**
   * The entry found, whose value is {@code null} for a cached "not found"; {@code null} on a miss.
   */
  public CacheEntry entry() {
    return entry;
  }

  /** Whether an entry was found. */
  public boolean isHit() {
    return entry != null;
  }

  @Override
  public String toString() {
    return isHit() ? "Lookup{hit}" : "Lookup{miss at version " + version + "}";
  }
}
