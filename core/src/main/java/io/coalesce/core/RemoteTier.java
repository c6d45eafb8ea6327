package io.coalesce.core;

import java.lang.reflect.Type;
import java.time.Duration;

/**
 * The shared tier (L2) below L1, seen by every instance of the application, and the cluster-wide
 * single flight that goes with it. The engine calls it only from the leader of a load (and from
 * puts and evicts); keys are already in their {@link KeyFormat string form}.
 *
 * <p>Implementations never throw to the engine for an I/O failure: an unreachable store is a miss
 * on read, a no-op on write and {@link Lease#UNAVAILABLE} for a lock, because a cache outage must
 * never fail a caller.
 */
public interface RemoteTier {

  /** No shared tier: every instance stands alone. */
  RemoteTier NONE = new RemoteTier() {
    @Override
    public CacheEntry get(String key, Type type) {
      return null;
    }

    @Override
    public void put(String key, CacheEntry entry, Type type) {}

    @Override
    public boolean putIfLeaseHeld(String key, CacheEntry entry, Type type, Lease lease) {
      return false;
    }

    @Override
    public Lease tryLock(String key) {
      return Lease.UNAVAILABLE;
    }

    @Override
    public void release(Lease lease) {}

    @Override
    public CacheEntry awaitLoaded(String key, Type type, Duration wait, long newerThan) {
      return null;
    }

    @Override
    public void evict(String key) {}

    @Override
    public void clear() {}

    @Override
    public void onInvalidation(Invalidations listener) {}

    @Override
    public boolean isPresent() {
      return false;
    }
  };

  /** The entry stored for {@code key}, decoded as {@code type}, or {@code null} on a miss. */
  CacheEntry get(String key, Type type);

  /**
   * Stores {@code entry} unconditionally (a put), releases the key's rebuild lock whoever holds it
   * (so that a load under way elsewhere, which may have read older data, cannot write back over
   * it), and tells other instances to drop their L1 copy.
   */
  void put(String key, CacheEntry entry, Type type);

  /**
   * Stores a loaded entry only while {@code lease} still holds the key's rebuild lock (a holder
   * whose lease lapsed, or whose lock an evict removed, must not overwrite a newer value), then
   * tells waiting instances that the value is there.
   *
   * @return whether it was stored
   */
  boolean putIfLeaseHeld(String key, CacheEntry entry, Type type, Lease lease);

  /** Tries to become the one instance that loads {@code key}. */
  Lease tryLock(String key);

  /** Releases {@code lease} if it still owns the lock; a lock is only ever released by its owner. */
  void release(Lease lease);

  /**
   * Waits up to {@code wait} for another instance to store a fresh value of {@code key} written
   * after {@code newerThan} (woken by a notification, with polling as a backstop).
   *
   * @return that entry, or {@code null} when none came in time
   */
  CacheEntry awaitLoaded(String key, Type type, Duration wait, long newerThan);

  /** Removes {@code key} and its rebuild lock, and tells every instance to drop its L1 copy. */
  void evict(String key);

  /** Removes every key of this cache and tells every instance to drop its L1 copies. */
  void clear();

  /** Registers the engine's receiver of other instances' invalidations. */
  void onInvalidation(Invalidations listener);

  /** Whether this is a real shared tier; when it is, L1 copies are kept at most {@code local.ttl}. */
  default boolean isPresent() {
    return true;
  }

  /**
   * Whether the tier is answering now. While it is not, invalidations from other instances cannot
   * arrive either, so L1 copies are kept for their whole window instead of {@code local.ttl}: the
   * loaders then run once per key per window, as without a shared tier.
   */
  default boolean isAvailable() {
    return isPresent();
  }

  /** What the shared tier tells the engine about other instances' writes. */
  interface Invalidations {

    /** Another instance changed {@code key}: drop the L1 copy. */
    void invalidated(String key);

    /** L1 may have missed invalidations (for example, after a reconnect): drop every L1 copy. */
    void invalidatedAll();
  }

  /** The outcome of {@link #tryLock}: a held lock with its token, or why there is none. */
  record Lease(String key, String token, State state) {

    /** The lock could not be tried (the store is unreachable): load without it. */
    public static final Lease UNAVAILABLE = new Lease(null, null, State.UNAVAILABLE);

    /** Another instance holds the lock. */
    public static Lease heldElsewhere(String key) {
      return new Lease(key, null, State.HELD_ELSEWHERE);
    }

    /** This instance holds the lock with {@code token}. */
    public static Lease acquired(String key, String token) {
      return new Lease(key, token, State.ACQUIRED);
    }

    /** The states of a lease. */
    public enum State {
      ACQUIRED, HELD_ELSEWHERE, UNAVAILABLE
    }
  }
}
