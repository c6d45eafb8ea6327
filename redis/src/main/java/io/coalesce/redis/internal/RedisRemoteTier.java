package io.coalesce.redis.internal;

import io.coalesce.core.CacheEntry;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.RemoteTier;
import io.coalesce.core.Ticker;
import io.coalesce.redis.EntryCodec;
import io.coalesce.redis.UndecodableValueException;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The L2 tier of one cache: joins {@link RedisStore} (bytes and scripts), an {@link EntryCodec}
 * (bytes ↔ entries) and {@link RedisEvents} (pub/sub). A Redis failure is absorbed here: a read
 * becomes a miss, a write {@link Stored#UNAVAILABLE}, a lock {@link Lease#UNAVAILABLE}; undecodable
 * bytes are deleted and read as a miss (left alone when another version of the value type wrote
 * them: {@link Read#foreign()}); a value that cannot be encoded is not stored. A put or evict that
 * Redis does not take is remembered and replayed (as an evict) once Redis answers again, so a write
 * made while this instance cannot reach Redis is not lost for the others. Thread-safe.
 *
 * <p>Version keys live long enough for every L1 copy to be ordered against later writes: at least
 * {@code lock.lease + load-timeout} (the longest a load may still check one) plus {@code local.ttl}
 * (the longest an L1 copy or write mark lives) past the write, and past the value they version.
 */
final class RedisRemoteTier implements RemoteTier {

  private static final long FIRST_POLL_MILLIS = 10;
  private static final long MAX_POLL_MILLIS = 200;
  /** Keys remembered for replay; past this, the whole cache is cleared on recovery instead. */
  static final int MAX_PENDING = 10_000;
  /** Evicts replayed per round trip. */
  private static final int REPLAY_BATCH = 500;
  private static final byte[] NO_TOKEN = new byte[0];
  private static final ReadOrLock UNAVAILABLE = new ReadOrLock(Read.UNAVAILABLE, Lease.UNAVAILABLE);

  private final String cache;
  private final RedisStore store;
  private final RedisKeys keys;
  private final EntryCodec codec;
  private final RedisEvents events;
  private final Clock clock;
  private final Ticker ticker;
  private final long leaseMillis;
  private final long versionFloorMillis;
  private final long localTtlMillis;
  private final long staleIfErrorMillis;
  private final RedisCallGuard guard;
  private final byte[] cleared;
  private final PendingWrites pending = new PendingWrites(MAX_PENDING);
  private final RecentWrites recent;
  /** Locks this instance holds whose release Redis did not take: released once it answers. */
  private final Set<Lease> unreleased = ConcurrentHashMap.newKeySet();
  /**
   * Locks this instance took within a lease, by when: a failover may lose their release, acknowledged
   * by the old master but not replicated, and leave them held on the new one until their lease ends.
   */
  private final RecentKeys<Lease> recentLeases;
  private final LockTokens tokens = new LockTokens();
  private final ReadMix readMix = new ReadMix();

  RedisRemoteTier(String cache, CacheSettings settings, RedisStore store, RedisKeys keys, EntryCodec codec,
      RedisEvents events, RedisCallGuard guard, Clock clock, Ticker ticker) {
    this.cache = RedisKeys.requireName("cache name", cache);
    this.store = store;
    this.keys = keys;
    this.codec = codec;
    this.events = events;
    this.guard = guard;
    this.clock = clock;
    this.ticker = ticker;
    this.leaseMillis = settings.lock().lease().toMillis();
    this.localTtlMillis = settings.local().ttl().toMillis();
    this.versionFloorMillis = settings.versionLifetime().toMillis();
    this.staleIfErrorMillis = settings.staleIfError() ? settings.staleIfErrorMaxAge().toMillis() : -1;
    this.cleared = keys.cleared(cache);
    this.recent = new RecentWrites(MAX_PENDING, ticker);
    this.recentLeases = new RecentKeys<>(settings.lock().lease(), MAX_PENDING, ticker);
  }

  @Override
  public boolean isAvailable() {
    return guard.isAvailable();
  }

  @Override
  public Read read(String key, Type type) {
    byte[][] found;
    try {
      found = valueAndVersion(key);
    } catch (RuntimeException e) {
      return Read.UNAVAILABLE;
    }
    return decode(key, type, found[0], version(found[1], found[2]), true);
  }

  /** The key's value, its version key and the clear marker, in one {@code MGET}. */
  private byte[][] valueAndVersion(String key) {
    return store.readWithMarker(cleared, keys.value(cache, key), keys.version(cache, key));
  }

  @Override
  public long currentVersion(String key) {
    try {
      byte[][] found = store.readWithMarker(cleared, keys.version(cache, key));
      return version(found[0], found[1]);
    } catch (RuntimeException e) {
      return UNKNOWN_VERSION;
    }
  }

  /**
   * A leader's read: the read-or-lock script, or, while this cache's reads mostly find a value that
   * may serve ({@link ReadMix}) and the guard rations no calls, a plain read first. That one is served
   * only when it decodes cleanly and may serve; anything else (nothing there, expired, undecodable,
   * written by another version of the type) goes to the script as if the plain read had not been
   * made, since its decoding has no side effects: the outcome is the script's, one round trip later.
   */
  @Override
  public ReadOrLock readOrLock(String key, Type type, long now) {
    boolean plainFirst = readMix.plainFirst() && guard.isSettled();
    if (plainFirst) {
      ReadOrLock plain = plainRead(key, type, now);
      if (plain == UNAVAILABLE) {
        return plain; // as the script's failure would be: not tried a second time
      }
      readMix.record(plain != null);
      if (plain != null) {
        return plain;
      }
    }
    String token = tokens.next();
    RedisStore.ReadOrLockReply reply;
    try {
      reply = store.readOrLock(keys.value(cache, key), keys.version(cache, key), keys.lock(cache, key), cleared, now,
          token.getBytes(StandardCharsets.UTF_8), leaseMillis);
    } catch (RuntimeException e) {
      return UNAVAILABLE;
    }
    ReadOrLock found = readOrLock(key, type, token, reply);
    if (!plainFirst) {
      Read read = found.read();
      readMix.record(read.hit() && read.entry().isServable(now));
    }
    return found;
  }

  /**
   * A plain read ({@code MGET} of the value, its version and the clear marker) of a value that decodes
   * and may serve at {@code now}, with no lock tried; {@link #UNAVAILABLE} when Redis failed; or
   * {@code null} for anything else, which the script then reads again (and reports, deletes or locks
   * as it always does).
   */
  private ReadOrLock plainRead(String key, Type type, long now) {
    byte[][] found;
    try {
      found = valueAndVersion(key);
    } catch (RuntimeException e) {
      return UNAVAILABLE;
    }
    if (found[0] == null) {
      return null;
    }
    CacheEntry entry;
    try {
      entry = codec.decode(found[0], type);
    } catch (UndecodableValueException e) {
      return null;
    }
    return entry.isServable(now) ? new ReadOrLock(new Read(entry, version(found[1], found[2])), null) : null;
  }

  @Override
  public List<ReadOrLock> readAll(List<String> names, Type type, long now, boolean lock) {
    List<ReadOrLock> found = new ArrayList<>(names.size());
    if (!lock) {
      byte[][] keysToRead = new byte[names.size() * 2][];
      for (int i = 0; i < names.size(); i++) {
        keysToRead[i * 2] = keys.value(cache, names.get(i));
        keysToRead[i * 2 + 1] = keys.version(cache, names.get(i));
      }
      byte[][] values;
      try {
        values = store.readWithMarker(cleared, keysToRead);
      } catch (RuntimeException e) {
        names.forEach(name -> found.add(new ReadOrLock(Read.UNAVAILABLE, null)));
        return found;
      }
      byte[] marker = values[names.size() * 2];
      for (int i = 0; i < names.size(); i++) {
        found.add(new ReadOrLock(decode(names.get(i), type, values[i * 2], version(values[i * 2 + 1], marker), true),
            null));
      }
      return found;
    }
    List<byte[]> keysToRead = new ArrayList<>(names.size() * 3);
    List<String> tokenTexts = new ArrayList<>(names.size());
    List<byte[]> tokenBytes = new ArrayList<>(names.size());
    for (String name : names) {
      keysToRead.add(keys.value(cache, name));
      keysToRead.add(keys.version(cache, name));
      keysToRead.add(keys.lock(cache, name));
      String token = tokens.next();
      tokenTexts.add(token);
      tokenBytes.add(token.getBytes(StandardCharsets.UTF_8));
    }
    List<RedisStore.ReadOrLockReply> replies;
    try {
      replies = store.readOrLockAll(keysToRead, cleared, tokenBytes, now, leaseMillis);
    } catch (RuntimeException e) {
      names.forEach(name -> found.add(UNAVAILABLE));
      return found;
    }
    for (int i = 0; i < names.size(); i++) {
      found.add(readOrLock(names.get(i), type, tokenTexts.get(i), replies.get(i)));
    }
    return found;
  }

  private ReadOrLock readOrLock(String key, Type type, String token, RedisStore.ReadOrLockReply reply) {
    Lease lease = switch (reply.locked()) {
      case 1 -> acquired(Lease.acquired(key, token));
      case 0 -> Lease.heldElsewhere(key);
      default -> null;
    };
    boolean ours = lease != null && lease.state() == Lease.State.ACQUIRED;
    return new ReadOrLock(decode(key, type, reply.value(), RedisStore.parseVersion(reply.version()), !ours), lease);
  }

  /** The larger of a version key and the clear marker as read (either may be absent: 0). */
  private static long version(byte[] versionText, byte[] clearedText) {
    return Math.max(number(versionText), number(clearedText));
  }

  private static long number(byte[] digits) {
    return digits == null ? 0 : Long.parseLong(new String(digits, StandardCharsets.US_ASCII));
  }

  /**
   * The entry in {@code value} at {@code version}: a miss when it cannot be decoded, which deletes
   * it, unless another version of the value type wrote it (then it is kept, and the read is
   * {@link Read#foreign() foreign}).
   *
   * @param withLock whether to delete the key's lock with an undecodable value (not when we hold it)
   */
  private Read decode(String key, Type type, byte[] value, long version, boolean withLock) {
    if (value == null) {
      return new Read(null, version);
    }
    try {
      return new Read(codec.decode(value, type), version);
    } catch (UndecodableValueException e) {
      store.publish(new RedisOutcome.Undecodable(cache, key, e, e.isForeign()));
      if (e.isForeign()) {
        // Another version of the type wrote it: left alone while it may still serve its instances;
        // past that (Redis keeps it longer, for stale-if-error) the next load replaces it as usual.
        return new Read(null, version, EnvelopeLayout.staleUntil(value) > clock.millis());
      }
      try {
        if (withLock) {
          store.deleteUndecodable(keys.value(cache, key), keys.lock(cache, key));
        } else {
          store.delete("delete", keys.value(cache, key));
        }
      } catch (RuntimeException ignored) {
        // counted by the store; the value stays a miss
      }
      return new Read(null, version);
    }
  }

  @Override
  public Written put(String key, CacheEntry entry, Type type, long dataVersion) {
    byte[] bytes = encode(key, entry, type);
    if (bytes == null) {
      // The value cannot be shared: at least no instance keeps serving the one it replaces.
      Written evicted = evict(key);
      return new Written(Stored.UNENCODABLE, evicted.version());
    }
    long ttl = physicalTtl(entry);
    try {
      RedisStore.PutReply reply = store.put(keys.value(cache, key), keys.lock(cache, key), keys.version(cache, key),
          cleared, keys.dataVersion(cache, key), bytes, ttl, Math.max(versionFloorMillis, ttl + localTtlMillis),
          dataVersion == NO_DATA_VERSION ? "" : Long.toString(dataVersion), events.rawChannel(),
          events.writtenHead(cache), events.writtenTail(key));
      recent.wrote(key);
      return new Written(reply.taken() ? Stored.STORED : Stored.SUPERSEDED, reply.version());
    } catch (RuntimeException e) {
      pending.failed(key);
      return Written.UNAVAILABLE;
    }
  }

  @Override
  public Stored writeBack(String key, CacheEntry entry, Type type, long readVersion, Lease lease) {
    boolean locked = lease != null && lease.state() == Lease.State.ACQUIRED;
    byte[] bytes = encode(key, entry, type);
    if (bytes == null || readVersion == UNKNOWN_VERSION) {
      if (locked) {
        release(lease);
      }
      // unencodable, or the read did not answer: the value is not shared, L1 may keep it
      return bytes == null ? Stored.UNENCODABLE : Stored.UNAVAILABLE;
    }
    long reply;
    try {
      reply = store.writeBack(writeBackArgs(key, entry, bytes, readVersion, locked ? token(lease) : NO_TOKEN),
          events.rawChannel());
    } catch (RuntimeException e) {
      if (locked) {
        keepToRelease(lease); // a waiter on another instance must not wait for it until lock.wait
      }
      return Stored.UNAVAILABLE;
    }
    return reply == 1 ? Stored.STORED : Stored.SUPERSEDED;
  }

  @Override
  public List<Stored> writeBackAll(List<WriteBack> writeBacks, Type type) {
    Stored[] outcomes = new Stored[writeBacks.size()];
    List<Integer> sent = new ArrayList<>(writeBacks.size());
    List<RedisStore.WriteBackArgs> args = new ArrayList<>(writeBacks.size());
    for (int i = 0; i < writeBacks.size(); i++) {
      WriteBack w = writeBacks.get(i);
      boolean locked = w.lease() != null && w.lease().state() == Lease.State.ACQUIRED;
      byte[] bytes = encode(w.key(), w.entry(), type);
      if (bytes == null || w.readVersion() == UNKNOWN_VERSION) {
        if (locked) {
          release(w.lease());
        }
        outcomes[i] = bytes == null ? Stored.UNENCODABLE : Stored.UNAVAILABLE;
        continue;
      }
      sent.add(i);
      args.add(writeBackArgs(w.key(), w.entry(), bytes, w.readVersion(), locked ? token(w.lease()) : NO_TOKEN));
    }
    if (!args.isEmpty()) {
      long[] replies;
      try {
        replies = store.writeBackAll(args, events.rawChannel());
      } catch (RuntimeException e) {
        replies = null;
        for (int index : sent) {
          Lease lease = writeBacks.get(index).lease();
          if (lease != null && lease.state() == Lease.State.ACQUIRED) {
            keepToRelease(lease);
          }
        }
      }
      for (int s = 0; s < sent.size(); s++) {
        outcomes[sent.get(s)] = replies == null || replies[s] == -2 ? Stored.UNAVAILABLE
            : replies[s] == 1 ? Stored.STORED : Stored.SUPERSEDED;
      }
    }
    return List.of(outcomes);
  }

  private RedisStore.WriteBackArgs writeBackArgs(String key, CacheEntry entry, byte[] bytes, long readVersion,
      byte[] token) {
    long ttl = physicalTtl(entry);
    return new RedisStore.WriteBackArgs(keys.value(cache, key), keys.lock(cache, key), keys.version(cache, key),
        cleared, bytes, ttl, token, readVersion, ttl + localTtlMillis, events.loaded(cache, key, readVersion),
        events.released(cache, key));
  }

  /** The bytes of {@code entry}, or {@code null} (reported once, counted) when the codec cannot write it. */
  private byte[] encode(String key, CacheEntry entry, Type type) {
    try {
      return codec.encode(entry, type);
    } catch (RuntimeException e) {
      store.publish(new RedisOutcome.Unencodable(cache, type, e));
      return null;
    }
  }

  /**
   * Redis keeps a value to the end of its stale window, or of its {@code stale-if-error-max-age}
   * when a failed load may fall back to it (as L1 does); the logical expiry travels inside it.
   */
  private long physicalTtl(CacheEntry entry) {
    long until = entry.staleUntil();
    if (staleIfErrorMillis >= 0 && !entry.isNull()) {
      until = Math.max(until, entry.expiresAt() + staleIfErrorMillis);
    }
    return Math.max(1, until - clock.millis());
  }

  @Override
  public Lease tryLock(String key) {
    String token = tokens.next();
    try {
      boolean acquired = store.tryLock(keys.lock(cache, key), token.getBytes(StandardCharsets.UTF_8), leaseMillis);
      return acquired ? acquired(Lease.acquired(key, token)) : Lease.heldElsewhere(key);
    } catch (RuntimeException e) {
      return Lease.UNAVAILABLE;
    }
  }

  @Override
  public void release(Lease lease) {
    if (lease.state() != Lease.State.ACQUIRED) {
      return;
    }
    try {
      releaseNow(lease);
    } catch (RuntimeException e) {
      keepToRelease(lease);
    }
  }

  /** Remembers {@code lease} for a lease's time; returns it. */
  private Lease acquired(Lease lease) {
    recentLeases.add(lease);
    return lease;
  }

  private void releaseNow(Lease lease) {
    store.release(keys.lock(cache, lease.key()), token(lease), events.rawChannel(), events.released(cache, lease.key()));
  }

  /**
   * A lock whose release (or write-back) Redis did not take: it would keep the other instances' callers
   * of its key waiting up to {@code lock.wait}, on this server or on a replica promoted meanwhile, until
   * its lease ends. Released when Redis answers again; past {@link #MAX_PENDING}, left to its lease.
   */
  private void keepToRelease(Lease lease) {
    if (unreleased.size() < MAX_PENDING) {
      unreleased.add(lease);
    }
  }

  @Override
  public Read awaitLoaded(String key, Type type, Duration wait, long newerThan) {
    long deadline = ticker.read() + wait.toNanos();
    long pollMillis = FIRST_POLL_MILLIS;
    CompletableFuture<RedisEvents.Wake> signal = events.signal(cache, key);
    try {
      while (true) {
        // The lock is read with the value: a holder that finished between our lock attempt and the
        // signal's registration above sent its message before we listened, so ask Redis instead.
        byte[][] found;
        try {
          found = store.readWithMarker(cleared, keys.value(cache, key), keys.version(cache, key), keys.lock(cache, key));
        } catch (RuntimeException e) {
          return Read.UNAVAILABLE;
        }
        Read read = decode(key, type, found[0], version(found[1], found[3]), true);
        if (read.hit() && read.entry().writtenAt() > newerThan && read.entry().isFresh(clock.millis())) {
          return read;
        }
        if (found[2] == null || read.foreign()) {
          return new Read(null, read.version(), read.foreign()); // nothing for us, and nobody to wait for
        }
        long remainingNanos = deadline - ticker.read();
        if (remainingNanos <= 0) {
          return new Read(null, read.version());
        }
        try {
          RedisEvents.Wake wake =
              signal.get(Math.min(remainingNanos, TimeUnit.MILLISECONDS.toNanos(pollMillis)), TimeUnit.NANOSECONDS);
          events.forget(cache, key, signal);
          if (wake == RedisEvents.Wake.LOCK_FREE) {
            return new Read(null, read.version()); // the holder gave up, or a write removed its lock: retry it now
          }
          signal = events.signal(cache, key); // woken with a value: read it, and listen for a later one
        } catch (TimeoutException e) {
          pollMillis = Math.min(MAX_POLL_MILLIS, pollMillis * 2); // polling backstop for lost messages
        } catch (ExecutionException e) {
          return new Read(null, read.version());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new Read(null, read.version());
        }
      }
    } finally {
      events.forget(cache, key, signal);
    }
  }

  @Override
  public Written evict(String key) {
    try {
      return new Written(Stored.STORED, evictNow(key));
    } catch (RuntimeException e) {
      pending.failed(key);
      return Written.UNAVAILABLE;
    }
  }

  private void evictAllNow(List<String> evicted) {
    List<RedisStore.EvictArgs> args = new ArrayList<>(evicted.size());
    for (String key : evicted) {
      args.add(new RedisStore.EvictArgs(keys.value(cache, key), keys.lock(cache, key), keys.version(cache, key),
          events.writtenTail(key)));
    }
    store.evictAll(args, cleared, versionFloorMillis, events.rawChannel(), events.writtenHead(cache));
    evicted.forEach(recent::wrote);
  }

  private long evictNow(String key) {
    long version = store.evict(keys.value(cache, key), keys.lock(cache, key), keys.version(cache, key), cleared,
        versionFloorMillis, events.rawChannel(), events.writtenHead(cache), events.writtenTail(key));
    recent.wrote(key);
    return version;
  }

  @Override
  public Written clear() {
    try {
      return new Written(Stored.STORED, clearNow());
    } catch (RuntimeException e) {
      pending.clearFailed(); // replayed as a clear
      return Written.UNAVAILABLE;
    }
  }

  /**
   * Raises the clear marker (so that a load that read before the clear cannot write back after it),
   * deletes every key of the cache and tells every instance; returns the marker ({@code -1} on Redis
   * Cluster, where there is none).
   */
  private long clearNow() {
    long marker = store.raiseClearMarker(cleared, versionFloorMillis);
    store.deleteMatching(keys.pattern(cache));
    store.publish(events.rawChannel(), events.cleared(cache, marker));
    recent.cleared();
    return marker < 0 ? UNKNOWN_VERSION : marker;
  }

  @Override
  public void onInvalidation(Invalidations listener) {
    events.register(cache, listener);
  }

  /** Whether writes wait to be replayed, or locks to be released. */
  boolean hasPending() {
    return !pending.isEmpty() || !unreleased.isEmpty();
  }

  /**
   * Another server answers than before (a failover, or a restart): the writes Redis acknowledged within
   * {@link RecentWrites#WINDOW} may be lost on it, so they wait to be replayed like failed ones; and so
   * may the releases of the locks taken within a lease, which are released again (only where the token
   * is still ours: a load still running then stores nothing, and a caller elsewhere may load again).
   */
  void serverChanged() {
    recent.replayInto(pending);
    recentLeases.forEachWithinWindow(this::keepToRelease);
    recentLeases.clear();
  }

  /** Keys whose writes wait to be replayed; a pending clear of the whole cache counts as one. */
  int pendingCount() {
    return pending.count();
  }

  /**
   * Replays the writes Redis did not take, each as an evict (a put's value may be older than what
   * another instance wrote since; removing the key is right whatever happened meanwhile).
   */
  void replayPending() {
    pending.replay(this::clearNow, this::evictAllNow, REPLAY_BATCH);
  }

  /** Releases the locks whose release Redis did not take, or a failover may have lost (only where still ours). */
  void releaseUnreleased() {
    List<Lease> leases = List.copyOf(unreleased);
    for (int from = 0; from < leases.size(); from += REPLAY_BATCH) {
      List<Lease> batch = leases.subList(from, Math.min(leases.size(), from + REPLAY_BATCH));
      List<byte[]> lockKeys = new ArrayList<>(batch.size());
      List<byte[]> tokenBytes = new ArrayList<>(batch.size());
      List<byte[]> messages = new ArrayList<>(batch.size());
      for (Lease lease : batch) {
        lockKeys.add(keys.lock(cache, lease.key()));
        tokenBytes.add(token(lease));
        messages.add(events.released(cache, lease.key()));
      }
      try {
        store.releaseAll(lockKeys, tokenBytes, events.rawChannel(), messages);
      } catch (RuntimeException e) {
        return;
      }
      batch.forEach(unreleased::remove);
    }
  }

  private static byte[] token(Lease lease) {
    return lease.token().getBytes(StandardCharsets.UTF_8);
  }
}
