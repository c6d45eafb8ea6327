package io.coalesce.core;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A shared tier in memory with the semantics the engine relies on — per-key write versions, a
 * rebuild lock with tokens, fenced write-backs — for unit tests of the engine. Not thread-safe in its
 * hooks; every counter is.
 */
class FakeRemoteTier implements RemoteTier {

  final Map<String, CacheEntry> values = new ConcurrentHashMap<>();
  final Map<String, Long> versions = new ConcurrentHashMap<>();
  final Map<String, Long> dataVersions = new ConcurrentHashMap<>();
  /** Versions grow across keys, as the server clock's do in Redis. */
  private final AtomicLong clock = new AtomicLong();
  /** A clear's version: every key reads at least at it. */
  volatile long cleared;
  final Map<String, String> locks = new ConcurrentHashMap<>();
  final AtomicInteger writeBacks = new AtomicInteger();
  final AtomicInteger stored = new AtomicInteger();
  final AtomicInteger puts = new AtomicInteger();
  final AtomicInteger evicts = new AtomicInteger();
  final AtomicInteger reads = new AtomicInteger();
  private final AtomicLong tokens = new AtomicLong();
  Invalidations invalidations;

  /** Whether the tier answers; while it does not, every call is a miss or a failed write. */
  volatile boolean available = true;
  /** Puts and evicts that Redis does not take (a timeout, an out-of-memory refusal): nothing changes. */
  volatile boolean writesFail;
  /** Keys whose value another instance wrote with a type this one cannot decode ({@link Read#foreign()}). */
  final java.util.Set<String> foreign = ConcurrentHashMap.newKeySet();
  /** The lock is held by another instance that never delivers. */
  volatile boolean lockHeldElsewhere;
  /** Runs inside every write-back, before it takes effect (a write racing it). */
  volatile Runnable beforeWriteBack = () -> {};
  /** Runs inside every write-back, after it took effect (a message arriving right after). */
  volatile Runnable afterWriteBack = () -> {};
  /** Runs inside every read, before it reads. */
  volatile Runnable duringRead = () -> {};
  /** Runs inside every read, after it read and before it answers (a message overtaking the reply). */
  volatile Runnable beforeReadAnswers = () -> {};
  /** Runs inside every put and evict, before it takes effect (a read racing this instance's write). */
  volatile Runnable beforeWrite = () -> {};
  /** Runs inside every put and evict, after it took effect (another write, or a read, before this one returns). */
  volatile Runnable afterWrite = () -> {};
  /** Whatever a waiting instance sleeps: a test passes its ticker's advance. */
  volatile LongConsumer waited = nanos -> {};

  long version(String key) {
    return Math.max(versions.getOrDefault(key, 0L), cleared);
  }

  /** Another instance writes {@code key}: a new version, and the message to this instance. */
  void writeElsewhere(String key) {
    long version = bump(key);
    values.remove(key);
    locks.remove(key);
    if (invalidations != null) {
      invalidations.written(key, version);
    }
  }

  private synchronized long bump(String key) {
    long version = Math.max(clock.incrementAndGet(), version(key) + 1);
    clock.set(version);
    versions.put(key, version);
    return version;
  }

  @Override
  public Read read(String key, Type type) {
    reads.incrementAndGet();
    if (!available) {
      return Read.UNAVAILABLE;
    }
    duringRead.run();
    Read read = foreign.contains(key) ? new Read(null, version(key), true) : new Read(values.get(key), version(key));
    beforeReadAnswers.run();
    return read;
  }

  @Override
  public Written put(String key, CacheEntry entry, Type type, long dataVersion) {
    puts.incrementAndGet();
    if (writesFail) {
      return new Written(Stored.UNAVAILABLE, UNKNOWN_VERSION);
    }
    beforeWrite.run();
    Written written;
    synchronized (this) {
      Long held = dataVersions.get(key);
      if (dataVersion != NO_DATA_VERSION && held != null && held > dataVersion) {
        return new Written(Stored.SUPERSEDED, version(key));
      }
      if (dataVersion != NO_DATA_VERSION) {
        dataVersions.put(key, dataVersion);
      }
      long version = bump(key);
      locks.remove(key);
      values.put(key, entry);
      written = new Written(Stored.STORED, version);
    }
    afterWrite.run();
    return written;
  }

  @Override
  public Stored writeBack(String key, CacheEntry entry, Type type, long readVersion, Lease lease) {
    writeBacks.incrementAndGet();
    if (!available) {
      return Stored.UNAVAILABLE;
    }
    beforeWriteBack.run();
    try {
      if (lease != null && !lease.token().equals(locks.get(key))) {
        return Stored.SUPERSEDED;
      }
      if (lease != null) {
        locks.remove(key, lease.token());
      }
      if (version(key) != readVersion) {
        return Stored.SUPERSEDED;
      }
      values.put(key, entry);
      stored.incrementAndGet();
      return Stored.STORED;
    } finally {
      afterWriteBack.run();
    }
  }

  @Override
  public Lease tryLock(String key) {
    if (!available) {
      return Lease.UNAVAILABLE;
    }
    if (lockHeldElsewhere) {
      return Lease.heldElsewhere(key);
    }
    String token = "t" + tokens.incrementAndGet();
    return locks.putIfAbsent(key, token) == null ? Lease.acquired(key, token) : Lease.heldElsewhere(key);
  }

  @Override
  public void release(Lease lease) {
    if (lease.state() == Lease.State.ACQUIRED) {
      locks.remove(lease.key(), lease.token());
    }
  }

  @Override
  public Read awaitLoaded(String key, Type type, Duration wait, long newerThan) {
    waited.accept(wait.toNanos());
    return new Read(null, version(key));
  }

  @Override
  public Written evict(String key) {
    evicts.incrementAndGet();
    if (writesFail) {
      return new Written(Stored.UNAVAILABLE, UNKNOWN_VERSION);
    }
    beforeWrite.run();
    long version;
    synchronized (this) {
      version = bump(key);
      values.remove(key);
      locks.remove(key);
    }
    afterWrite.run();
    return new Written(Stored.STORED, version);
  }

  @Override
  public synchronized Written clear() {
    values.clear();
    locks.clear();
    cleared = clock.incrementAndGet();
    return new Written(Stored.STORED, cleared);
  }

  @Override
  public boolean isAvailable() {
    return available;
  }

  @Override
  public void onInvalidation(Invalidations listener) {
    this.invalidations = listener;
  }
}
