package io.coalesce.redis.internal;

import io.coalesce.core.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.springframework.data.redis.connection.RedisClusterConnection;
import org.springframework.data.redis.connection.RedisClusterNode;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionCommands;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStringCommands;
import org.springframework.data.redis.connection.RedisStringCommands.SetOption;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.Cursor;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.data.redis.core.types.Expiration;

/**
 * Byte-level Redis I/O for the tier: reads, writes, the scripts, pub/sub. Every command passes one
 * seam ({@link #execute}), which applies the guard (the circuit breaker) to reads, lets writes
 * through whatever the guard says, and publishes each call's {@link RedisOutcome} to the
 * subscribers; callers decide what a failure means, and keep no books. Thread-safe.
 *
 * <p>Keys of one cache key (value, lock, version) share a Redis Cluster slot (see {@link RedisKeys}),
 * so each script below touches one slot.
 */
final class RedisStore {

  /**
   * The part of a put or evict that gives the key its new version: the server's clock in
   * microseconds, or one more than the version it has if that is higher. A version therefore never
   * comes back after its key expired or was flushed, so a load that read it cannot mistake a later
   * write for none. ARGV[1]: the version key's TTL. Sets {@code version} (a number) and
   * {@code versionText} (its digits).
   */
  private static final String NEW_VERSION = """
      local now = redis.call('TIME')
      local version = math.max(tonumber(redis.call('GET', KEYS[3]) or '0') + 1,
        tonumber(now[1]) * 1000000 + tonumber(now[2]))
      local versionText = string.format('%.0f', version)
      redis.call('SET', KEYS[3], versionText, 'PX', ARGV[1])
      """;

  /**
   * A put: removes the value and the rebuild lock first (a delete is allowed when Redis's memory is
   * full, so even a put Redis refuses takes the replaced value away), gives the key a new version (so
   * that a load under way elsewhere cannot write back over the put), writes the value and tells
   * every instance, with the new version. ARGV: version TTL, channel, message head and tail, value,
   * value TTL.
   */
  private static final byte[] PUT = RedisKeys.bytes("""
      redis.call('DEL', KEYS[1], KEYS[2])
      """ + NEW_VERSION + """
      redis.call('SET', KEYS[1], ARGV[5], 'PX', ARGV[6])
      redis.call('PUBLISH', ARGV[2], ARGV[3] .. versionText .. ARGV[4])
      return version""");

  /** An evict: removes the value and its lock, gives the key a new version, tells every instance. */
  private static final byte[] EVICT = RedisKeys.bytes("""
      redis.call('DEL', KEYS[1], KEYS[2])
      """ + NEW_VERSION + """
      redis.call('PUBLISH', ARGV[2], ARGV[3] .. versionText .. ARGV[4])
      return version""");

  /**
   * A load's write-back, in one round trip: only while the key's version is the one the load read
   * and, with a token, while that token holds the lock. Whatever happens, a held lock is released and
   * the waiting instances are told the outcome at once: "loaded" with the value, "released" without
   * (the key changed, the lock was lost, or Redis refused the value for lack of memory: then the
   * error is returned after the release). Returns 1 (stored), 0 (the key changed), -1 (the lock of
   * the token is gone).
   */
  private static final byte[] WRITE_BACK = RedisKeys.bytes("""
      local locked = ARGV[3] ~= ''
      if locked and redis.call('GET', KEYS[2]) ~= ARGV[3] then
        redis.call('PUBLISH', ARGV[5], ARGV[7])
        return -1
      end
      if tonumber(redis.call('GET', KEYS[3]) or '0') ~= tonumber(ARGV[4]) then
        if locked then
          redis.call('DEL', KEYS[2])
          redis.call('PUBLISH', ARGV[5], ARGV[7])
        end
        return 0
      end
      local stored = redis.pcall('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      if locked then redis.call('DEL', KEYS[2]) end
      if type(stored) == 'table' and stored.err then
        if locked then redis.call('PUBLISH', ARGV[5], ARGV[7]) end
        return stored
      end
      redis.call('PUBLISH', ARGV[5], ARGV[6])
      return 1""");

  /**
   * A leader's read, in one round trip: the value and its version, and, when there is no value that
   * may still serve at {@code ARGV[1]} (the caller's clock, epoch millis), {@code SET lock token NX
   * PX lease}. Whether a value may serve is read from its envelope's {@code staleUntil} (bytes 20-27,
   * big-endian; see {@code Envelope}); a value in another format is returned without trying the
   * lock, for the caller to judge. Returns {value or nil, version or nil, 1 locked / 0 held
   * elsewhere / -1 not tried}.
   */
  private static final byte[] READ_OR_LOCK = RedisKeys.bytes("""
      local value = redis.call('GET', KEYS[1])
      local version = redis.call('GET', KEYS[2])
      local servable = false
      if value then
        servable = true
        if #value >= 35 and string.byte(value, 1) == 67 and string.byte(value, 2) == 1 then
          local staleUntil = 0
          for i = 20, 27 do
            staleUntil = staleUntil * 256 + string.byte(value, i)
          end
          servable = staleUntil > tonumber(ARGV[1])
        end
      end
      local locked = -1
      if not servable then
        if redis.call('SET', KEYS[3], ARGV[2], 'NX', 'PX', ARGV[3]) then
          locked = 1
        else
          locked = 0
        end
      end
      return {value or false, version or false, locked}""");

  /** Deletes the lock only when the caller owns it, and tells the waiting instances they may try it. */
  private static final byte[] RELEASE = RedisKeys.bytes("""
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        redis.call('DEL', KEYS[1])
        redis.call('PUBLISH', ARGV[2], ARGV[3])
        return 1
      end
      return 0""");

  private final RedisTemplate<byte[], byte[]> template;
  private final RedisCallGuard guard;
  private final Ticker ticker;
  private final List<Consumer<RedisOutcome>> subscribers = new CopyOnWriteArrayList<>();
  /** One outcome object per operation name, so that a successful call allocates none. */
  private final Map<String, RedisOutcome.Succeeded> successes = new ConcurrentHashMap<>();

  RedisStore(RedisConnectionFactory connectionFactory, RedisCallGuard guard, Ticker ticker) {
    this.guard = guard;
    this.ticker = ticker;
    RedisTemplate<byte[], byte[]> template = new RedisTemplate<>();
    template.setConnectionFactory(connectionFactory);
    template.setEnableDefaultSerializer(false);
    template.afterPropertiesSet();
    this.template = template;
  }

  /** Receives the outcome of every call, in the calling thread; must be fast and must not throw. */
  void subscribe(Consumer<RedisOutcome> subscriber) {
    subscribers.add(subscriber);
  }

  /** Publishes an outcome that is not a call's (a value the codec could not read or write). */
  void publish(RedisOutcome outcome) {
    for (Consumer<RedisOutcome> subscriber : subscribers) {
      try {
        subscriber.accept(outcome);
      } catch (RuntimeException e) {
        System.getLogger(RedisStore.class.getName()).log(System.Logger.Level.DEBUG, "Redis outcome subscriber failed", e);
      }
    }
  }

  /**
   * The one seam every command passes. A read goes through the guard, which may skip it
   * ({@link RedisSkippedException}); a write ({@code guarded = false}) is always sent, because a write
   * that one instance skips is one that every other instance misses. Exceptions propagate.
   */
  private <T> T execute(String operation, boolean guarded, RedisCallback<T> command) {
    long start = ticker.read();
    try {
      T result = guarded ? guard.call(() -> template.execute(command)) : template.execute(command);
      if (!guarded) {
        guard.record(ticker.read() - start, null);
      }
      publish(successes.computeIfAbsent(operation, RedisOutcome.Succeeded::new));
      return result;
    } catch (RedisSkippedException e) {
      publish(new RedisOutcome.Skipped(operation));
      throw e;
    } catch (RuntimeException e) {
      if (!guarded) {
        guard.record(ticker.read() - start, e);
      }
      publish(new RedisOutcome.Failed(operation, e));
      throw e;
    }
  }

  /**
   * Several keys of one cache key in one round trip ({@code MGET}): a value and its version, and the
   * lock when a waiter needs to know whether it is still held. Each item may be null.
   */
  byte[][] read(byte[]... keys) {
    List<byte[]> reply = execute("get", true, (RedisCallback<List<byte[]>>) c -> c.stringCommands().mGet(keys));
    byte[][] found = new byte[keys.length][];
    if (reply != null) {
      for (int i = 0; i < keys.length && i < reply.size(); i++) {
        found[i] = reply.get(i);
      }
    }
    return found;
  }

  /** {@link #READ_OR_LOCK}: the value, the version (each may be null) and the lock outcome (1, 0, -1). */
  ReadOrLockReply readOrLock(byte[] key, byte[] versionKey, byte[] lockKey, long nowMillis, byte[] token,
      long leaseMillis) {
    List<Object> reply = execute("get", true, (RedisCallback<List<Object>>) c -> Scripts.eval(c,
        READ_OR_LOCK, ReturnType.MULTI, 3, key, versionKey, lockKey, RedisKeys.bytes(Long.toString(nowMillis)),
        token, RedisKeys.bytes(Long.toString(leaseMillis))));
    if (reply == null || reply.size() < 3) {
      throw new IllegalStateException("Unexpected reply to the read-or-lock script: " + reply);
    }
    return new ReadOrLockReply((byte[]) reply.get(0), (byte[]) reply.get(1), ((Number) reply.get(2)).intValue());
  }

  /** What {@link #READ_OR_LOCK} returned. */
  record ReadOrLockReply(byte[] value, byte[] version, int locked) {}

  /** {@link #PUT}; returns the key's new version. */
  long put(byte[] key, byte[] lockKey, byte[] versionKey, byte[] value, long ttlMillis, long versionTtlMillis,
      byte[] channel, byte[] messageHead, byte[] messageTail) {
    Long version = execute("put", false, (RedisCallback<Long>) c -> Scripts.eval(c, PUT,
        ReturnType.INTEGER, 3, key, lockKey, versionKey, RedisKeys.bytes(Long.toString(versionTtlMillis)), channel,
        messageHead, messageTail, value, RedisKeys.bytes(Long.toString(ttlMillis))));
    return version == null ? 0 : version;
  }

  /** {@link #EVICT}; returns the key's new version. */
  long evict(byte[] key, byte[] lockKey, byte[] versionKey, long versionTtlMillis, byte[] channel,
      byte[] messageHead, byte[] messageTail) {
    Long version = execute("evict", false, (RedisCallback<Long>) c -> Scripts.eval(c, EVICT,
        ReturnType.INTEGER, 3, key, lockKey, versionKey, RedisKeys.bytes(Long.toString(versionTtlMillis)),
        channel, messageHead, messageTail));
    return version == null ? 0 : version;
  }

  /**
   * {@link #WRITE_BACK}: 1 stored, 0 the key changed since {@code readVersion}, -1 the lock of
   * {@code token} is gone ({@code token} empty: no lock).
   */
  long writeBack(byte[] key, byte[] lockKey, byte[] versionKey, byte[] value, long ttlMillis, byte[] token,
      long readVersion, byte[] channel, byte[] loadedMessage, byte[] releasedMessage) {
    Long reply = execute("put", true, (RedisCallback<Long>) c -> Scripts.eval(c, WRITE_BACK,
        ReturnType.INTEGER, 3, key, lockKey, versionKey, value, RedisKeys.bytes(Long.toString(ttlMillis)), token,
        RedisKeys.bytes(Long.toString(readVersion)), channel, loadedMessage, releasedMessage));
    return reply == null ? -1 : reply;
  }

  /** {@code SET lockKey token NX PX lease}. */
  boolean tryLock(byte[] lockKey, byte[] token, long leaseMillis) {
    Boolean set = execute("lock", true, (RedisCallback<Boolean>) c -> c.stringCommands()
        .set(lockKey, token, Expiration.milliseconds(leaseMillis), SetOption.ifAbsent()));
    return Boolean.TRUE.equals(set);
  }

  /** {@link #RELEASE}. Always sent: a lock left behind makes the other instances wait for nothing. */
  void release(byte[] lockKey, byte[] token, byte[] channel, byte[] releasedMessage) {
    execute("unlock", false, (RedisCallback<Long>) c -> Scripts.eval(c, RELEASE, ReturnType.INTEGER, 1,
        lockKey, token, channel, releasedMessage));
  }

  /** Deletes a value that could not be decoded (and its lock). */
  void deleteUndecodable(byte[] key, byte[] lockKey) {
    execute("delete", true, (RedisCallback<Long>) c -> c.keyCommands().del(lockKey, key));
  }

  /** Deletes every key matching {@code pattern}, scanning each master of a cluster. Always sent. */
  long deleteMatching(byte[] pattern) {
    Long deleted = execute("clear", false, (RedisCallback<Long>) c -> {
      ScanOptions options = ScanOptions.scanOptions().match(pattern).count(500).build();
      long count = 0;
      if (c instanceof RedisClusterConnection cluster) {
        for (RedisClusterNode node : cluster.clusterGetNodes()) {
          if (node.isMaster()) {
            count += deleteAll(c, cluster.keys(node, pattern));
          }
        }
        return count;
      }
      try (Cursor<byte[]> cursor = c.keyCommands().scan(options)) {
        List<byte[]> batch = new ArrayList<>();
        while (cursor.hasNext()) {
          batch.add(cursor.next());
          if (batch.size() == 500) {
            count += deleteAll(c, batch);
            batch.clear();
          }
        }
        count += deleteAll(c, batch);
      }
      return count;
    });
    return deleted == null ? 0 : deleted;
  }

  private static long deleteAll(RedisConnection c, Iterable<byte[]> keys) {
    long count = 0;
    if (keys == null) {
      return 0;
    }
    for (byte[] key : keys) {
      Long n = c.keyCommands().del(key);
      count += n == null ? 0 : n;
    }
    return count;
  }

  /** Runs {@code script} with its keys first, then its arguments; returns its integer reply. */
  long evalInteger(String operation, byte[] script, int numKeys, byte[]... keysAndArgs) {
    Long reply = execute(operation, true, (RedisCallback<Long>) c ->
        Scripts.eval(c, script, ReturnType.INTEGER, numKeys, keysAndArgs));
    return reply == null ? 0 : reply;
  }

  /** {@link #evalInteger} sent whatever the guard says (for writes that must not be skipped). */
  long evalIntegerAlways(String operation, byte[] script, int numKeys, byte[]... keysAndArgs) {
    Long reply = execute(operation, false, (RedisCallback<Long>) c ->
        Scripts.eval(c, script, ReturnType.INTEGER, numKeys, keysAndArgs));
    return reply == null ? 0 : reply;
  }

  byte[] get(String operation, byte[] key) {
    return execute(operation, true, (RedisCallback<byte[]>) c -> c.stringCommands().get(key));
  }

  long increment(String operation, byte[] key) {
    Long value = execute(operation, true, (RedisCallback<Long>) c -> c.stringCommands().incr(key));
    return value == null ? 0 : value;
  }

  void set(String operation, byte[] key, byte[] value, long ttlMillis) {
    execute(operation, true, (RedisCallback<Boolean>) c ->
        c.stringCommands().set(key, value, Expiration.milliseconds(ttlMillis), SetOption.upsert()));
  }

  /** {@code SET key value} without expiry. */
  void put(String operation, byte[] key, byte[] value) {
    execute(operation, true, (RedisCallback<Boolean>) c -> c.stringCommands().set(key, value));
  }

  /** {@code BITOP OR destination destination source}: merges {@code source}'s bits into {@code destination}. */
  void bitOr(String operation, byte[] destination, byte[] source) {
    execute(operation, true, (RedisCallback<Long>) c -> c.stringCommands()
        .bitOp(RedisStringCommands.BitOperation.OR, destination, destination, source));
  }

  void delete(String operation, byte[] key) {
    execute(operation, true, (RedisCallback<Long>) c -> c.keyCommands().del(key));
  }

  /** {@code DEL}, sent whatever the guard says. */
  void deleteAlways(String operation, byte[] key) {
    execute(operation, false, (RedisCallback<Long>) c -> c.keyCommands().del(key));
  }

  /** {@code PING} through the guard (a health check; skipped while the breaker is open). */
  void ping() {
    execute("ping", true, (RedisCallback<String>) RedisConnectionCommands::ping);
  }

  /** {@code PING} past the guard: whether Redis answers now, for the recovery probe. */
  boolean probe() {
    try {
      execute("ping", false, (RedisCallback<String>) RedisConnectionCommands::ping);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Publishes {@code message} on {@code channel}; always sent (a write's invalidation). */
  void publish(byte[] channel, byte[] message) {
    execute("publish", false, (RedisCallback<Long>) c -> c.publish(channel, message));
  }
}
