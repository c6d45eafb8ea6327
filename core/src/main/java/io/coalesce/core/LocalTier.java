package io.coalesce.core;

import java.util.Set;

/**
 * The in-process tier (L1). Implementations are bounded and thread-safe; an entry may vanish at any
 * time (eviction), which the engine treats as a miss.
 *
 * <p><b>Versions.</b> Every entry is held with the version of the key it was written or read under
 * (the shared tier's write version, see {@link RemoteTier}; a counter of this instance without one),
 * and a store never replaces a newer version with an older one: so two writes of one key that race
 * here, or a write and an older read, leave the newer one, whatever order their threads reach L1 in.
 * A write can also leave a <em>mark</em> without a value ({@link #written}): older stores are
 * refused while it is held, and a read finds nothing. {@link RemoteTier#UNKNOWN_VERSION} means "no
 * version known" (the shared tier did not answer): such a store is not ordered against others and
 * keeps the version held.
 *
 * <p>A key may also carry a data version, the value's own ({@code @CoalescedPut(version = ...)}):
 * a put with one is refused while a higher one is held, and a store without one keeps the one held.
 */
public interface LocalTier {

  /** The version of a key nothing is held for. */
  long NO_VERSION = Long.MIN_VALUE;

  /** A tier that holds nothing: every read is a miss. */
  LocalTier NONE = new LocalTier() {
    @Override
    public CacheEntry get(Object key, long now) {
      return null;
    }

    @Override
    public boolean put(Object key, CacheEntry entry, long version, long dataVersion, long retainUntil) {
      return false;
    }

    @Override
    public void written(Object key, long version, long retainUntil) {}

    @Override
    public void dropUpTo(Object key, long version) {}

    @Override
    public long version(Object key) {
      return NO_VERSION;
    }

    @Override
    public boolean remove(Object key, CacheEntry entry) {
      return false;
    }

    @Override
    public void evict(Object key) {}

    @Override
    public void clear() {}

    @Override
    public long size() {
      return 0;
    }
  };

  /**
   * The entry held for {@code key} at {@code now} (epoch millis of the engine's clock), or
   * {@code null} (nothing held, only a write's mark, or past its retention): the read of the hit
   * path, given the time the engine has read anyway so that the tier need not read the clock again.
   */
  CacheEntry get(Object key, long now);

  /**
   * Holds {@code entry} at {@code version} until at most {@code retainUntil} (epoch millis of the
   * engine's clock), unless the key holds a newer version, or a higher data version.
   *
   * @param version the key's version the entry was written or read under, or
   *     {@link RemoteTier#UNKNOWN_VERSION} to keep the version held
   * @param dataVersion the value's own version, or {@link RemoteTier#NO_DATA_VERSION} (keeps the one held)
   * @return whether it is held now
   */
  boolean put(Object key, CacheEntry entry, long version, long dataVersion, long retainUntil);

  /**
   * {@code key} was written (put elsewhere, or evicted) at {@code version}: anything held of an older
   * version is replaced by a mark of {@code version}, kept until {@code retainUntil}, so that a store
   * of an older version arriving later is refused. Nothing changes when a newer version is held.
   */
  void written(Object key, long version, long retainUntil);

  /** Drops what is held for {@code key} if its version is at most {@code version}. */
  void dropUpTo(Object key, long version);

  /**
   * Another instance loaded {@code key} and stored it in the shared tier at {@code version}: what is
   * held of that version or older may be older than what it loaded, so it must not stay fresh. A
   * tier may keep a fresh copy as stale from {@code now} on (its ttl ends at {@code now}, its stale
   * window does not move), so that the next read is served it and refreshes it in the background
   * instead of waiting for a read of the shared tier; it must drop a cached "not found" and an entry
   * written after {@code now} (another instance's clock ahead of this one). The default drops what is
   * held ({@link #dropUpTo}).
   */
  default void loadedElsewhere(Object key, long version, long now) {
    dropUpTo(key, version);
  }

  /** The version held for {@code key} (entry or mark), or {@link #NO_VERSION}. */
  long version(Object key);

  /** Removes {@code key} only while it still maps to {@code entry}. */
  boolean remove(Object key, CacheEntry entry);

  /** Removes {@code key}, its version included. */
  void evict(Object key);

  /** Removes every entry and mark. */
  void clear();

  /** An estimate of the number of entries held, marks included. */
  long size();

  /**
   * Shortens the deadline of every entry held beyond {@code until} to {@code until} (epoch millis of
   * the engine's clock), atomically per entry: an entry removed meanwhile stays removed. The engine
   * calls it when the shared tier answers again, so that copies kept for their whole window while it
   * failed go back to {@code local.ttl}. The default does nothing: entries then keep their deadlines.
   */
  default void capRetention(long until) {}

  /** A live view of the keys held (for administrative lookups, not for the read path). */
  default Set<Object> keys() {
    return Set.of();
  }
}
