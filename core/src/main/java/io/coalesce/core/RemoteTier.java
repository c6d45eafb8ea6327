package io.coalesce.core;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared tier (L2) below L1, seen by every instance of the application, and the cluster-wide
 * single flight that goes with it. The engine calls it from the leader of a load and from puts and
 * evicts; keys are already in their {@link KeyFormat string form}.
 *
 * <p><b>Write versions.</b> Every put, evict and clear of a key gives that key a new, higher version
 * in the shared tier and reports it to every instance ({@link Invalidations#written(String, long)}).
 * A load remembers the version it read ({@link Read#version()}) and its write-back succeeds only
 * while the version is unchanged, so a load that read before a write can never store its result
 * after the write — fenced by the rebuild lock or not, timed out or not. The engine stores every L1
 * copy with the version it was written or read under and never lets an older version replace a
 * newer one, so the order of the writes in the shared tier is the order in every L1. A version lives
 * at least as long as any value stored under it and at least {@code local.ttl}; a key that has none
 * reads as version {@code 0}.
 *
 * <p>Implementations never throw to the engine for an I/O failure: an unreachable store is a miss on
 * read, {@link Stored#UNAVAILABLE} on write and {@link Lease#UNAVAILABLE} for a lock, because a cache
 * outage must never fail a caller.
 */
public interface RemoteTier {

  /** The version of a key that no read could establish (the tier did not answer). */
  long UNKNOWN_VERSION = -1;

  /** No shared tier: every instance stands alone. */
  RemoteTier NONE = new NoRemoteTier();


  /**
   * What a read of one key found.
   *
   * @param entry the stored entry, or {@code null} on a miss (or when the tier did not answer)
   * @param version the key's write version when it was read, or {@link #UNKNOWN_VERSION}
   * @param foreign whether the tier holds a value for the key that this instance cannot decode
   *     because an instance with another type for it wrote it (a rolling deploy that changed the
   *     type): a miss here, but a value the other instances serve, so the load that follows takes no
   *     lock and writes nothing back while it may still serve
   */
  record Read(CacheEntry entry, long version, boolean foreign) {

    /** The tier did not answer. */
    public static final Read UNAVAILABLE = new Read(null, UNKNOWN_VERSION);

    /** What a read found, nothing foreign. */
    public Read(CacheEntry entry, long version) {
      this(entry, version, false);
    }

    public boolean hit() {
      return entry != null;
    }
  }

  /**
   * What {@link #readOrLock} found: the read, and the rebuild lock when it was tried in the same
   * atomic step.
   *
   * @param read what the read found
   * @param lease the outcome of trying the lock together with the read, or {@code null} when it was
   *     not tried there (the engine then tries it, and reads again once it holds it)
   */
  record ReadOrLock(Read read, Lease lease) {}

  /** What became of a write. */
  enum Stored {
    /** Written. */
    STORED,
    /**
     * Not written because the key changed since it was read (a put or evict, here or on another
     * instance), or because the rebuild lock was lost (its lease lapsed, or a write removed it).
     */
    SUPERSEDED,
    /** Not written: the codec cannot encode the value. The value is still good for its callers. */
    UNENCODABLE,
    /** Not written: the tier did not answer. */
    UNAVAILABLE
  }

  /**
   * What became of a put, evict or clear, and the version it gave the key (for a clear: the version
   * below which every key of the cache now is), or {@link #UNKNOWN_VERSION} when the tier did not
   * take it. A put refused because the tier holds a higher data version is {@link Stored#SUPERSEDED},
   * with the key's current version.
   */
  record Written(Stored stored, long version) {

    /** The tier did not answer (or there is none). */
    public static final Written UNAVAILABLE = new Written(Stored.UNAVAILABLE, UNKNOWN_VERSION);
  }

  /** A put without a data version ({@code @CoalescedPut} without {@code version}). */
  long NO_DATA_VERSION = Long.MIN_VALUE;

  /** The entry stored for {@code key}, decoded as {@code type}, with the key's version. */
  Read read(String key, Type type);

  /**
   * A leader's read of a key it may have to load: reads it and, when the tier holds nothing
   * servable at {@code now} (epoch millis of the engine's clock), tries the rebuild lock in the same
   * atomic step, so that the lock, once held, needs no second read. (A tier may read without the
   * lock first when its reads mostly find a value, and lock only when that finds nothing to serve.)
   * The default only reads; the engine then takes the lock the usual way.
   */
  default ReadOrLock readOrLock(String key, Type type, long now) {
    return new ReadOrLock(read(key, type), null);
  }

  /**
   * A batch leader's read of many keys: each as {@link #readOrLock} when {@code lock} is set, as
   * {@link #read} (no lease) otherwise, in one round trip where the tier can (one per slot on Redis
   * Cluster). The default reads them one by one.
   *
   * @return one outcome per key, in the order of {@code keys}
   */
  default List<ReadOrLock> readAll(List<String> keys, Type type, long now, boolean lock) {
    List<ReadOrLock> found = new ArrayList<>(keys.size());
    for (String key : keys) {
      found.add(lock ? readOrLock(key, type, now) : new ReadOrLock(read(key, type), null));
    }
    return found;
  }

  /**
   * {@link #writeBack} of many loaded entries at once, in one round trip where the tier can. The
   * default writes them back one by one.
   *
   * @return one outcome per write-back, in the order of {@code writeBacks}
   */
  default List<Stored> writeBackAll(List<WriteBack> writeBacks, Type type) {
    List<Stored> stored = new ArrayList<>(writeBacks.size());
    for (WriteBack w : writeBacks) {
      stored.add(writeBack(w.key(), w.entry(), type, w.readVersion(), w.lease()));
    }
    return stored;
  }

  /** One load's write-back, for {@link #writeBackAll}: the arguments of {@link #writeBack}. */
  record WriteBack(String key, CacheEntry entry, long readVersion, Lease lease) {}

  /**
   * A put: stores {@code entry}, gives the key a new version (so a load under way elsewhere that
   * read older data cannot write back over it), and tells every instance, with that version.
   * Attempted even while reads skip the tier (an open circuit breaker): a write that fails is
   * remembered and replayed, as an evict, once the tier answers again.
   *
   * @param dataVersion the value's own version ({@code @CoalescedPut(version = ...)}), or
   *     {@link #NO_DATA_VERSION}: with one, the put is refused ({@link Stored#SUPERSEDED}) while the
   *     tier holds the key at a higher data version, so racing puts keep the latest
   */
  Written put(String key, CacheEntry entry, Type type, long dataVersion);

  /** {@link #put(String, CacheEntry, Type, long)} without a data version. */
  default Written put(String key, CacheEntry entry, Type type) {
    return put(key, entry, type, NO_DATA_VERSION);
  }

  /**
   * A load's write-back: stores {@code entry} only while the key's version is still
   * {@code readVersion} and, with a held {@code lease}, while the lease still holds the key's rebuild
   * lock; then releases that lock and tells instances waiting for the key that it is there.
   *
   * @param lease the rebuild lock this load holds, or {@code null} for a load without it
   */
  Stored writeBack(String key, CacheEntry entry, Type type, long readVersion, Lease lease);

  /** Tries to become the one instance that loads {@code key}. */
  Lease tryLock(String key);

  /**
   * Releases {@code lease} if it still owns the lock (a lock is only ever released by its owner) and
   * tells instances waiting for the key that they may try it again.
   */
  void release(Lease lease);

  /**
   * Waits up to {@code wait} for another instance to store a fresh value of {@code key} written
   * after {@code newerThan}; woken by a notification of the holder's outcome, with polling as a
   * backstop. Returns early, without an entry, when the holder reports that it gave the lock up.
   *
   * @return the read that found that entry, or a read without an entry when none came in time
   */
  Read awaitLoaded(String key, Type type, Duration wait, long newerThan);

  /**
   * Removes {@code key} and its rebuild lock, gives it a new version and tells every instance.
   * Attempted even while reads skip the tier; a failure is replayed once the tier answers.
   */
  Written evict(String key);

  /**
   * Removes every key of this cache and tells every instance; every key then reads at a version at
   * least the one returned, so that a load that read before the clear cannot write back after it.
   */
  Written clear();

  /**
   * The version {@code key} has now, without its value ({@link #UNKNOWN_VERSION} when the tier does
   * not answer): how the engine checks, off the read path, that a sample of its L1 copies is as new as
   * the shared tier. The default reads the entry too.
   */
  default long currentVersion(String key) {
    return read(key, Object.class).version();
  }

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

  /**
   * What the shared tier tells the engine about writes, this instance's own included (applying one
   * twice, or after a newer one, changes nothing: versions order them).
   */
  interface Invalidations {

    /**
     * {@code key} was put or evicted, making it {@code version}: forget L1 copies older than that, and
     * keep no load that read an older version ({@link RemoteTier#UNKNOWN_VERSION}: of any version).
     */
    void written(String key, long version);

    /**
     * Another instance loaded {@code key} and stored it at {@code version}: an L1 copy of that version
     * or older may be older than what it loaded, so it is dropped; loads under way are not affected.
     */
    default void loaded(String key, long version) {}

    /** The cache was cleared, every key now at {@code version} or above ({@link RemoteTier#UNKNOWN_VERSION}: unknown). */
    void cleared(long version);

    /**
     * This instance's own clear, heard back: applied when it was made, so it may arrive after loads
     * that began since. By default handled as any clear.
     */
    default void ownCleared(long version) {
      cleared(version);
    }

    /** L1 may have missed invalidations (a reconnect of the subscription): drop every L1 copy. */
    void resubscribed();

    /**
     * The shared tier answers again after failing: invalidations reach this instance again, so L1
     * copies kept for their whole window meanwhile are held at most {@code local.ttl} from now.
     */
    default void availableAgain() {}
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
