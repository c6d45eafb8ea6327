package io.coalesce.redis.internal;

import io.coalesce.redis.EntryCodec;
import io.coalesce.redis.UndecodableValueException;

import io.coalesce.core.CacheEntry;
import io.coalesce.core.CacheSettings;
import io.coalesce.core.RemoteTier;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The L2 tier of one cache: joins {@link RedisStore} (bytes), an {@link EntryCodec} (bytes ↔
 * entries) and {@link RedisEvents} (pub/sub). Every Redis failure is absorbed here: a read becomes a
 * miss, a write a no-op, a lock {@link Lease#UNAVAILABLE}; undecodable bytes are deleted and read as
 * a miss. Thread-safe.
 */
final class RedisRemoteTier implements RemoteTier {

  private static final long FIRST_POLL_MILLIS = 10;
  private static final long MAX_POLL_MILLIS = 200;

  private final String cache;
  private final RedisStore store;
  private final RedisKeys keys;
  private final EntryCodec codec;
  private final RedisEvents events;
  private final RedisErrors errors;
  private final RedisCallGuard guard;
  private final Clock clock;
  private final long leaseMillis;
  private final long staleIfErrorMillis;
  /**
   * Tokens whose lock the fenced write-back already deleted; each is removed again by the
   * {@link #release} that always follows a write-back, so the set holds only loads in progress.
   */
  private final Set<String> releasedByWrite = ConcurrentHashMap.newKeySet();

  RedisRemoteTier(String cache, CacheSettings settings, RedisStore store, RedisKeys keys,
      EntryCodec codec, RedisEvents events, RedisErrors errors, RedisCallGuard guard, Clock clock) {
    this.cache = RedisKeys.requireName("cache name", cache);
    this.store = store;
    this.keys = keys;
    this.codec = codec;
    this.events = events;
    this.errors = errors;
    this.guard = guard;
    this.clock = clock;
    this.leaseMillis = settings.lock().lease().toMillis();
    this.staleIfErrorMillis = settings.staleIfError() ? settings.staleIfErrorMaxAge().toMillis() : -1;
  }

  @Override
  public boolean isAvailable() {
    return !errors.isFailing() && guard.permitsCalls();
  }

  @Override
  public CacheEntry get(String key, Type type) {
    byte[] valueKey = keys.value(cache, key);
    byte[] bytes;
    try {
      bytes = store.get(valueKey);
      errors.succeeded();
    } catch (RuntimeException e) {
      errors.failed("get", e);
      return null;
    }
    if (bytes == null) {
      return null;
    }
    try {
      return codec.decode(bytes, type);
    } catch (UndecodableValueException e) {
      errors.undecodable(cache, key, e);
      try {
        store.delete(valueKey, keys.lock(cache, key));
      } catch (RuntimeException deleteFailure) {
        errors.failed("delete", deleteFailure);
      }
      return null;
    }
  }

  @Override
  public void put(String key, CacheEntry entry, Type type) {
    byte[] bytes = codec.encode(entry, type);
    try {
      store.setAndUnlock(keys.value(cache, key), keys.lock(cache, key), bytes, physicalTtl(entry));
      errors.succeeded();
    } catch (RuntimeException e) {
      errors.failed("put", e);
      return;
    }
    events.publishWritten(cache, key);
  }

  @Override
  public boolean putIfLeaseHeld(String key, CacheEntry entry, Type type, Lease lease) {
    byte[] bytes = codec.encode(entry, type);
    boolean stored;
    try {
      // One round trip: write, release the lock and publish "loaded" (see RedisStore.fencedSet).
      stored = store.fencedSet(keys.value(cache, key), keys.lock(cache, key), token(lease), bytes,
          physicalTtl(entry), events.loadedChannel(), events.loadedMessage(cache, key));
      errors.succeeded();
    } catch (RuntimeException e) {
      errors.failed("put", e);
      return true; // Redis is down, not the lease lost: the value is still good for this instance
    }
    if (stored) {
      releasedByWrite.add(lease.token()); // so that release() costs no round trip
    }
    return stored;
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
    String token = UUID.randomUUID().toString();
    try {
      boolean acquired = store.tryLock(keys.lock(cache, key), token.getBytes(StandardCharsets.UTF_8), leaseMillis);
      errors.succeeded();
      return acquired ? Lease.acquired(key, token) : Lease.heldElsewhere(key);
    } catch (RuntimeException e) {
      errors.failed("lock", e);
      return Lease.UNAVAILABLE;
    }
  }

  @Override
  public void release(Lease lease) {
    if (lease.state() != Lease.State.ACQUIRED || releasedByWrite.remove(lease.token())) {
      return;
    }
    try {
      store.release(keys.lock(cache, lease.key()), token(lease));
    } catch (RuntimeException e) {
      errors.failed("unlock", e); // the lease expires on its own
    }
  }

  @Override
  public CacheEntry awaitLoaded(String key, Type type, Duration wait, long newerThan) {
    long deadline = System.nanoTime() + wait.toNanos();
    long pollMillis = FIRST_POLL_MILLIS;
    CompletableFuture<Void> signal = events.loadedSignal(cache, key);
    try {
      while (true) {
        CacheEntry entry = get(key, type);
        if (entry != null && entry.writtenAt() > newerThan && entry.isFresh(clock.millis())) {
          return entry;
        }
        long remainingNanos = deadline - System.nanoTime();
        if (remainingNanos <= 0) {
          return null;
        }
        try {
          signal.get(Math.min(remainingNanos, TimeUnit.MILLISECONDS.toNanos(pollMillis)), TimeUnit.NANOSECONDS);
          events.forget(cache, key, signal);
          signal = events.loadedSignal(cache, key); // woken: read now, and listen for a later load
        } catch (TimeoutException e) {
          pollMillis = Math.min(MAX_POLL_MILLIS, pollMillis * 2); // polling backstop for lost messages
        } catch (ExecutionException e) {
          return null;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
    } finally {
      events.forget(cache, key, signal);
    }
  }

  @Override
  public void evict(String key) {
    try {
      store.delete(keys.value(cache, key), keys.lock(cache, key));
      errors.succeeded();
    } catch (RuntimeException e) {
      errors.failed("evict", e);
    }
    events.publishWritten(cache, key);
  }

  @Override
  public void clear() {
    try {
      store.deleteMatching(keys.pattern(cache));
      errors.succeeded();
    } catch (RuntimeException e) {
      errors.failed("clear", e);
    }
    events.publishCleared(cache);
  }

  @Override
  public void onInvalidation(Invalidations listener) {
    events.register(cache, listener);
  }

  private static byte[] token(Lease lease) {
    return lease.token().getBytes(StandardCharsets.UTF_8);
  }
}
