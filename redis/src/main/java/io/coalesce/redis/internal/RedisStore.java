package io.coalesce.redis.internal;

import io.coalesce.core.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.springframework.data.redis.connection.ClusterSlotHashUtil;
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
   * A load's write-back, as a Lua function of one key (its value, lock and version keys, then the
   * value, its TTL, the lock token, the version the load read, the channel and the two messages):
   * only while the key's version is the one the load read and, with a token, while that token holds
   * the lock. Whatever happens, a held lock is released and the waiting instances are told the
   * outcome at once: "loaded" with the value, "released" without (the key changed, the lock was
   * lost, or Redis refused the value for lack of memory: then the error is returned after the
   * release). Returns 1 (stored), 0 (the key changed), -1 (the lock of the token is gone) or the
   * error.
   */
  private static final String WRITE_BACK_ONE = """
      local function writeBack(key, lockKey, versionKey, value, ttl, token, readVersion, channel, loaded, released)
        local locked = token ~= ''
        if locked and redis.call('GET', lockKey) ~= token then
          redis.call('PUBLISH', channel, released)
          return -1
        end
        if tonumber(redis.call('GET', versionKey) or '0') ~= tonumber(readVersion) then
          if locked then
            redis.call('DEL', lockKey)
            redis.call('PUBLISH', channel, released)
          end
          return 0
        end
        local stored = redis.pcall('SET', key, value, 'PX', ttl)
        if locked then redis.call('DEL', lockKey) end
        if type(stored) == 'table' and stored.err then
          if locked then redis.call('PUBLISH', channel, released) end
          return stored
        end
        redis.call('PUBLISH', channel, loaded)
        return 1
      end
      """;

  /** {@link #WRITE_BACK_ONE} of one key; a refused value's error is the script's error. */
  private static final byte[] WRITE_BACK = RedisKeys.bytes(WRITE_BACK_ONE + """
      return writeBack(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])""");

  /**
   * {@link #WRITE_BACK_ONE} of several keys in one call (of one Redis Cluster slot): KEYS in threes,
   * ARGV[1] the channel, then six arguments per key. Returns one reply per key, -2 for a value Redis
   * refused.
   */
  private static final byte[] WRITE_BACK_MANY = RedisKeys.bytes(WRITE_BACK_ONE + """
      local replies = {}
      for i = 1, #KEYS / 3 do
        local k, a = (i - 1) * 3, 1 + (i - 1) * 6
        local reply = writeBack(KEYS[k + 1], KEYS[k + 2], KEYS[k + 3], ARGV[a + 1], ARGV[a + 2], ARGV[a + 3],
          ARGV[a + 4], ARGV[1], ARGV[a + 5], ARGV[a + 6])
        if type(reply) == 'table' then reply = -2 end
        replies[i] = reply
      end
      return replies""");

  /**
   * A leader's read of several keys (of one Redis Cluster slot) in one call; KEYS in threes (value,
   * version, lock), ARGV[1] the caller's clock (epoch millis), ARGV[2] the lease, then one lock token
   * per key. For each key: the value and its version, and, when there is no value that may still
   * serve at {@code ARGV[1]}, {@code SET lock token NX PX lease}. Whether a value may serve is read
   * from its envelope's {@code staleUntil} (bytes 20-27, big-endian; see {@code Envelope}); a value in
   * another format is returned without trying the lock, for the caller to judge. Returns, per key,
   * {value or nil, version or nil, 1 locked / 0 held elsewhere / -1 not tried}, one flat list.
   */
  private static final byte[] READ_OR_LOCK = RedisKeys.bytes("""
      local replies = {}
      for i = 1, #KEYS / 3 do
        local k = (i - 1) * 3
        local value = redis.call('GET', KEYS[k + 1])
        local version = redis.call('GET', KEYS[k + 2])
        local servable = false
        if value then
          servable = true
          if #value >= 35 and string.byte(value, 1) == 67 and string.byte(value, 2) == 1 then
            local staleUntil = 0
            for b = 20, 27 do
              staleUntil = staleUntil * 256 + string.byte(value, b)
            end
            servable = staleUntil > tonumber(ARGV[1])
          end
        end
        local locked = -1
        if not servable then
          if redis.call('SET', KEYS[k + 3], ARGV[2 + i], 'NX', 'PX', ARGV[2]) then
            locked = 1
          else
            locked = 0
          end
        end
        replies[k + 1] = value or false
        replies[k + 2] = version or false
        replies[k + 3] = locked
      end
      return replies""");

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
        RedisKeys.bytes(Long.toString(leaseMillis)), token));
    if (reply == null || reply.size() < 3) {
      throw new IllegalStateException("Unexpected reply to the read-or-lock script: " + reply);
    }
    return new ReadOrLockReply((byte[]) reply.get(0), (byte[]) reply.get(1), ((Number) reply.get(2)).intValue());
  }

  /** What {@link #READ_OR_LOCK} returned for one key. */
  record ReadOrLockReply(byte[] value, byte[] version, int locked) {}

  /**
   * {@link #READ_OR_LOCK} of many keys: {@code keys} holds each key's value, version and lock key in
   * turn, {@code tokens} one lock token per key. One call, or on Redis Cluster one per slot.
   */
  List<ReadOrLockReply> readOrLockAll(List<byte[]> keys, List<byte[]> tokens, long nowMillis, long leaseMillis) {
    byte[] now = RedisKeys.bytes(Long.toString(nowMillis));
    byte[] lease = RedisKeys.bytes(Long.toString(leaseMillis));
    return execute("get", true, (RedisCallback<List<ReadOrLockReply>>) c -> {
      ReadOrLockReply[] replies = new ReadOrLockReply[tokens.size()];
      for (List<Integer> group : bySlot(c, keys, 3)) {
        byte[][] keysAndArgs = new byte[group.size() * 4 + 2][];
        int n = group.size() * 3;
        keysAndArgs[n] = now;
        keysAndArgs[n + 1] = lease;
        for (int g = 0; g < group.size(); g++) {
          int i = group.get(g);
          keysAndArgs[g * 3] = keys.get(i * 3);
          keysAndArgs[g * 3 + 1] = keys.get(i * 3 + 1);
          keysAndArgs[g * 3 + 2] = keys.get(i * 3 + 2);
          keysAndArgs[n + 2 + g] = tokens.get(i);
        }
        List<Object> reply = Scripts.eval(c, READ_OR_LOCK, ReturnType.MULTI, n, keysAndArgs);
        if (reply == null || reply.size() < n) {
          throw new IllegalStateException("Unexpected reply to the read-or-lock script: " + reply);
        }
        for (int g = 0; g < group.size(); g++) {
          replies[group.get(g)] = new ReadOrLockReply((byte[]) reply.get(g * 3), (byte[]) reply.get(g * 3 + 1),
              ((Number) reply.get(g * 3 + 2)).intValue());
        }
      }
      return List.of(replies);
    });
  }

  /** One load's write-back, for {@link #writeBackAll}: the arguments of {@link #writeBack}. */
  record WriteBackArgs(byte[] key, byte[] lockKey, byte[] versionKey, byte[] value, long ttlMillis, byte[] token,
      long readVersion, byte[] loadedMessage, byte[] releasedMessage) {}

  /**
   * {@link #WRITE_BACK_MANY}: the reply of each write-back, as {@link #writeBack}'s, -2 for a value
   * Redis refused. One call, or on Redis Cluster one per slot.
   */
  long[] writeBackAll(List<WriteBackArgs> writeBacks, byte[] channel) {
    List<byte[]> keys = new ArrayList<>(writeBacks.size());
    writeBacks.forEach(w -> keys.add(w.key()));
    return execute("put", true, (RedisCallback<long[]>) c -> {
      long[] replies = new long[writeBacks.size()];
      for (List<Integer> group : bySlot(c, keys, 1)) {
        byte[][] keysAndArgs = new byte[group.size() * 9 + 1][];
        int n = group.size() * 3;
        keysAndArgs[n] = channel;
        for (int g = 0; g < group.size(); g++) {
          WriteBackArgs w = writeBacks.get(group.get(g));
          keysAndArgs[g * 3] = w.key();
          keysAndArgs[g * 3 + 1] = w.lockKey();
          keysAndArgs[g * 3 + 2] = w.versionKey();
          int a = n + 1 + g * 6;
          keysAndArgs[a] = w.value();
          keysAndArgs[a + 1] = RedisKeys.bytes(Long.toString(w.ttlMillis()));
          keysAndArgs[a + 2] = w.token();
          keysAndArgs[a + 3] = RedisKeys.bytes(Long.toString(w.readVersion()));
          keysAndArgs[a + 4] = w.loadedMessage();
          keysAndArgs[a + 5] = w.releasedMessage();
        }
        List<Object> reply = Scripts.eval(c, WRITE_BACK_MANY, ReturnType.MULTI, n, keysAndArgs);
        if (reply == null || reply.size() < group.size()) {
          throw new IllegalStateException("Unexpected reply to the write-back script: " + reply);
        }
        for (int g = 0; g < group.size(); g++) {
          replies[group.get(g)] = ((Number) reply.get(g)).longValue();
        }
      }
      return replies;
    });
  }

  /**
   * The indexes of the items whose first key ({@code keys.get(i * stride)}) is in one Redis Cluster
   * slot, slot by slot; all of them at once on a single Redis, where a script may touch any key.
   */
  private static List<List<Integer>> bySlot(RedisConnection c, List<byte[]> keys, int stride) {
    int items = keys.size() / stride;
    if (!(c instanceof RedisClusterConnection)) {
      List<Integer> all = new ArrayList<>(items);
      for (int i = 0; i < items; i++) {
        all.add(i);
      }
      return List.of(all);
    }
    Map<Integer, List<Integer>> slots = new java.util.LinkedHashMap<>();
    for (int i = 0; i < items; i++) {
      slots.computeIfAbsent(ClusterSlotHashUtil.calculateSlot(keys.get(i * stride)), s -> new ArrayList<>()).add(i);
    }
    return List.copyOf(slots.values());
  }

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
