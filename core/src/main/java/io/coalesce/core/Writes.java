package io.coalesce.core;

import io.coalesce.core.RemoteTier.Stored;
import io.coalesce.core.RemoteTier.Written;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The write path of one cache — put, evict, clear, the delayed second delete — and the writes that
 * arrive from the shared tier ({@link RemoteTier.Invalidations}, this instance's own included).
 *
 * <p>One rule orders them all: a write gets its version from the shared tier (from a counter of this
 * cache without one), and L1 never replaces a newer version with an older one. So two writes of one
 * key, here or on several instances, and a write racing a read, leave every L1 with what the shared
 * tier holds, whatever order their threads reach L1 in.
 *
 * <p>A write also supersedes the loads of its key under way here before it writes the shared tier
 * and again after (a load that started meanwhile may have read the old value there); other
 * instances' loads are superseded through the key's version. A superseded load gives its result to
 * its own callers and stores nothing.
 */
final class Writes implements RemoteTier.Invalidations {

  private static final System.Logger LOG = System.getLogger(Writes.class.getName());

  private final String name;
  private final CacheSettings settings;
  private final EntryPolicy policy;
  private final CacheKeys keys;
  private final LocalStore l1;
  private final RemoteTier remote;
  private final SingleFlight flights;
  private final KeyGuard guard;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final WriteStamps stamps = new WriteStamps();

  Writes(String name, CacheSettings settings, EntryPolicy policy, CacheKeys keys, LocalStore l1, RemoteTier remote,
      SingleFlight flights, KeyGuard guard, Clock clock, ScheduledExecutorService scheduler) {
    this.name = name;
    this.settings = settings;
    this.policy = policy;
    this.keys = keys;
    this.l1 = l1;
    this.remote = remote;
    this.flights = flights;
    this.guard = guard;
    this.clock = clock;
    this.scheduler = scheduler;
  }

  /**
   * Stores {@code value} under {@code key}.
   *
   * @param dataVersion the value's own version, or {@link RemoteTier#NO_DATA_VERSION}: with one, a
   *     put of a lower version than the one held loses, here and in the shared tier
   */
  void put(Object key, Object value, long dataVersion) {
    Object k = keys.normalize(key);
    if (!policy.isCacheable(value)) {
      evict(key); // "not found" is not cached (null-ttl 0): the key goes
      return;
    }
    stamps.keyWritten(k);
    flights.supersede(k);
    if (value != null) {
      guard.add(k);
    }
    CacheEntry entry = policy.entryFor(value, clock.millis(), 0);
    Written written = remote.put(k.toString(), entry, value == null ? Object.class : value.getClass(), dataVersion);
    flights.supersede(k);
    if (value != null && written.stored() != Stored.UNAVAILABLE) {
      // Redis answers: an addition it did not take (a timeout while it paused writes) is made now,
      // before the put returns, so that no instance's Bloom filter answers "not found" for the key.
      guard.retryFailedAdditions();
    }
    if (written.stored() == Stored.SUPERSEDED) {
      l1.written(k, written.version()); // a later version of the value is there: this put lost
      LOG.log(Level.DEBUG, () -> "Put of key '" + k + "' in cache '" + name + "' at data version " + dataVersion
          + " lost to a higher one already stored");
      return;
    }
    l1.store(k, entry, l1.versionForWrite(written.version()), dataVersion, null);
  }

  /** What a miss of {@code k} remembers, to fence the caller's own load of it ({@link #putLoaded}). */
  long stamp(Object k) {
    return stamps.stamp(k);
  }

  /**
   * Stores {@code value}, loaded by the caller after {@code miss}, as a load of the engine's own is
   * stored ({@link LoadRunner}), and not at all once a write of the key (or of every key) has begun on
   * this instance or reached it from another since the miss ({@link WriteStamps}), nor a lock lease
   * after the miss, as the key's version in the shared tier may have lapsed by then. With the shared
   * tier, it is written back only while the key's version is still the one the miss read, and kept in
   * L1 at that version. Kept in L1 only, fenced by this instance's writes alone: without a shared
   * tier; when the miss's read of it did not answer (as a load is while it fails); and when it holds
   * another type's value for the key (a rolling deploy).
   */
  void putLoaded(Object k, Object value, Lookup miss) {
    long now = clock.millis();
    long took = Math.max(0, now - miss.missedAt);
    if (!policy.isCacheable(value)) {
      return;
    }
    if (took > settings.lock().lease().toMillis() || stamps.stamp(k) != miss.stamp) {
      LOG.log(Level.DEBUG, () -> "Value of key '" + k + "' in cache '" + name + "' loaded after a miss was not "
          + "stored: " + (took > settings.lock().lease().toMillis() ? "it came more than a lock lease after the miss"
              : "the key was written since"));
      return;
    }
    CacheEntry entry = policy.entryFor(value, now, took);
    if (value != null) {
      guard.add(k);
    }
    if (!remote.isPresent() || miss.version == RemoteTier.UNKNOWN_VERSION) {
      l1.store(k, entry, miss.version, null);
    } else if (!miss.shared) {
      l1.storeUnshared(k, entry, miss.version, null);
    } else {
      Stored stored = remote.writeBack(k.toString(), entry, miss.type, miss.version, null);
      if (stored != Stored.STORED && stored != Stored.UNENCODABLE) {
        LOG.log(Level.DEBUG, () -> "Value of key '" + k + "' in cache '" + name + "' loaded after a miss was not "
            + "stored: " + (stored == Stored.SUPERSEDED ? "the key was written since" : "the shared tier did not answer"));
        return;
      }
      l1.store(k, entry, miss.version, null); // refused if a write of the key reached L1 meanwhile
    }
    if (stamps.stamp(k) != miss.stamp) {
      l1.remove(k, entry); // a write began meanwhile, and may have reached L1 before this store
    }
  }

  void evict(Object key) {
    Object k = keys.normalize(key);
    evictHeld(k);
    evictAgainLater(k);
  }

  private void evictHeld(Object k) {
    stamps.keyWritten(k);
    flights.supersede(k);
    Written written = remote.evict(k.toString());
    flights.supersede(k);
    l1.written(k, l1.versionForWrite(written.version()));
  }

  void clear() {
    stamps.allWritten();
    flights.supersedeAll();
    Written written = remote.clear();
    flights.supersedeAll();
    l1.cleared(l1.versionForWrite(written.version()));
  }

  /** Evicts the key whose string form is {@code formattedKey}. */
  void evictFormatted(String formattedKey) {
    if (remote.isPresent()) {
      evict(formattedKey); // keys are held in their string form already
      return;
    }
    // Without a shared tier keys are held as objects: find those whose string form matches.
    List<Object> matching = new ArrayList<>();
    for (Object key : l1.keys()) {
      if (formattedKey.equals(CacheKeys.textOf(key))) {
        matching.add(key);
      }
    }
    for (Object key : flights.keys()) {
      if (formattedKey.equals(CacheKeys.textOf(key))) {
        matching.add(key);
      }
    }
    matching.forEach(this::evict);
  }

  /**
   * The delayed second delete of cache-aside: a reader that loaded the old value before the write
   * may store it after the first delete; deleting again after {@code evict-delay} removes it. Run by
   * the scheduler itself (one delete), never handed to the refresh pool, so a busy pool cannot drop it.
   */
  private void evictAgainLater(Object key) {
    long delay = settings.evictDelay().toMillis();
    if (delay <= 0) {
      return;
    }
    try {
      scheduler.schedule(() -> {
        try {
          evictHeld(key);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "The delayed second delete of key '" + key + "' in cache '" + name + "' failed", e);
        }
      }, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      LOG.log(Level.WARNING, () -> "The delayed second delete of key '" + key + "' in cache '" + name
          + "' could not be scheduled (the scheduler is shut down); a value stored by a racing reader may live "
          + "until its ttl");
    }
  }

  @Override
  public void written(String key, long version) {
    stamps.keyWritten(key);
    flights.supersede(key, version);
    l1.written(key, version);
  }

  @Override
  public void loaded(String key, long version) {
    l1.loadedElsewhere(key, version);
  }

  @Override
  public void cleared(long version) {
    stamps.allWritten();
    flights.supersedeAll();
    l1.cleared(version);
  }

  /**
   * This instance's clear, heard back, perhaps after loads that began once it returned: when the clear
   * was applied here at this version (the L1 floor is at least it), the clear already superseded every
   * load under way, stamped every key written and dropped every copy, so what L1 holds and what loads
   * now run came after it; only a load that read an older version is superseded (one whose read raced
   * the clear). A clear applied here at an unknown version (Redis unreachable then, or Redis Cluster,
   * which has no marker) is applied again in full.
   */
  @Override
  public void ownCleared(long version) {
    if (l1.clearedAtOrAfter(version)) {
      flights.supersedeAll(version);
    } else {
      cleared(version);
    }
  }

  @Override
  public void resubscribed() {
    stamps.allWritten(); // messages may have been lost
    flights.missedMessagesAll();
    l1.clear();
  }

  @Override
  public void availableAgain() {
    l1.capRetention();
  }
}
