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

  private static final byte[] PUT = Scripts.load("versions.lua", "put.lua");
  private static final byte[] EVICT = Scripts.load("versions.lua", "evict.lua");
  private static final byte[] CLEAR = Scripts.load("versions.lua", "clear.lua");
  private static final byte[] WRITE_BACK = Scripts.load("versions.lua", "write-back.lua", "write-back-one.lua");
  private static final byte[] WRITE_BACK_MANY = Scripts.load("versions.lua", "write-back.lua", "write-back-many.lua");
  private static final byte[] READ_OR_LOCK = Scripts.load("versions.lua", "read-or-lock.lua");
  private static final byte[] RELEASE = Scripts.load("release.lua");

  private static final boolean LETTUCE =
      org.springframework.util.ClassUtils.isPresent("io.lettuce.core.RedisClient", RedisStore.class.getClassLoader());

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
   * The clear marker a script of one key reads beside its version key: the cache's, except on Redis
   * Cluster, where a script cannot reach a key of another slot; the version key stands in for it
   * there (reading it twice changes nothing), and a clear is not fenced by a marker. (No marker is ever
   * set on a cluster.)
   */
  private static byte[] marker(RedisConnection c, byte[] cleared, byte[] versionKey) {
    return c instanceof RedisClusterConnection ? versionKey : cleared;
  }

  /**
   * {@link #read} of {@code keys} and of the cache's clear {@code marker}, as the last item. Not asked
   * on Redis Cluster, where no marker is ever set (and it would cost another slot's round trip).
   */
  byte[][] readWithMarker(byte[] marker, byte[]... keys) {
    List<byte[]> reply = execute("get", true, (RedisCallback<List<byte[]>>) c -> {
      if (c instanceof RedisClusterConnection) {
        return c.stringCommands().mGet(keys);
      }
      byte[][] all = java.util.Arrays.copyOf(keys, keys.length + 1);
      all[keys.length] = marker;
      return c.stringCommands().mGet(all);
    });
    byte[][] found = new byte[keys.length + 1][];
    if (reply != null) {
      for (int i = 0; i < found.length && i < reply.size(); i++) {
        found[i] = reply.get(i);
      }
    }
    return found;
  }

  /** Several keys in one round trip ({@code MGET}, split by slot on Redis Cluster); each item may be null. */
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

  /** {@code read-or-lock.lua}: the value (may be null), the version and the lock outcome (1, 0, -1). */
  ReadOrLockReply readOrLock(byte[] key, byte[] versionKey, byte[] lockKey, byte[] cleared, long nowMillis,
      byte[] token, long leaseMillis) {
    List<Object> reply = execute("get", true, (RedisCallback<List<Object>>) c -> Scripts.eval(c,
        READ_OR_LOCK, ReturnType.MULTI, 4, key, versionKey, lockKey, marker(c, cleared, versionKey),
        RedisKeys.bytes(Long.toString(nowMillis)), RedisKeys.bytes(Long.toString(leaseMillis)), token));
    if (reply == null || reply.size() < 3) {
      throw new IllegalStateException("Unexpected reply to the read-or-lock script: " + reply);
    }
    return new ReadOrLockReply((byte[]) reply.get(0), (byte[]) reply.get(1), ((Number) reply.get(2)).intValue());
  }

  /** What {@code read-or-lock.lua} returned for one key. */
  record ReadOrLockReply(byte[] value, byte[] version, int locked) {}

  /**
   * {@code read-or-lock.lua} of many keys: {@code keys} holds each key's value, version and lock key
   * in turn, {@code tokens} one lock token per key. One call, or on Redis Cluster one per slot.
   */
  List<ReadOrLockReply> readOrLockAll(List<byte[]> keys, byte[] cleared, List<byte[]> tokens, long nowMillis,
      long leaseMillis) {
    byte[] now = RedisKeys.bytes(Long.toString(nowMillis));
    byte[] lease = RedisKeys.bytes(Long.toString(leaseMillis));
    return execute("get", true, (RedisCallback<List<ReadOrLockReply>>) c -> {
      ReadOrLockReply[] replies = new ReadOrLockReply[tokens.size()];
      for (List<Integer> group : bySlot(c, keys, 3)) {
        byte[][] keysAndArgs = new byte[group.size() * 5 + 2][];
        int n = group.size() * 4;
        keysAndArgs[n] = now;
        keysAndArgs[n + 1] = lease;
        for (int g = 0; g < group.size(); g++) {
          int i = group.get(g);
          keysAndArgs[g * 4] = keys.get(i * 3);
          keysAndArgs[g * 4 + 1] = keys.get(i * 3 + 1);
          keysAndArgs[g * 4 + 2] = keys.get(i * 3 + 2);
          keysAndArgs[g * 4 + 3] = marker(c, cleared, keys.get(i * 3 + 1));
          keysAndArgs[n + 2 + g] = tokens.get(i);
        }
        List<Object> reply = Scripts.eval(c, READ_OR_LOCK, ReturnType.MULTI, n, keysAndArgs);
        if (reply == null || reply.size() < group.size() * 3) {
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

  /** One load's write-back: its keys, its value and TTL, its lock token, what it read, its messages. */
  record WriteBackArgs(byte[] key, byte[] lockKey, byte[] versionKey, byte[] cleared, byte[] value, long ttlMillis,
      byte[] token, long readVersion, long versionTtlMillis, byte[] loadedMessage, byte[] releasedMessage) {}

  /**
   * {@code write-back-many.lua}: the reply of each write-back, as {@link #writeBack}'s, -2 for a
   * value Redis refused. One call, or on Redis Cluster one per slot.
   */
  long[] writeBackAll(List<WriteBackArgs> writeBacks, byte[] channel) {
    List<byte[]> keys = new ArrayList<>(writeBacks.size());
    writeBacks.forEach(w -> keys.add(w.key()));
    return execute("put", true, (RedisCallback<long[]>) c -> {
      long[] replies = new long[writeBacks.size()];
      for (List<Integer> group : bySlot(c, keys, 1)) {
        byte[][] keysAndArgs = new byte[group.size() * 11 + 1][];
        int n = group.size() * 4;
        keysAndArgs[n] = channel;
        for (int g = 0; g < group.size(); g++) {
          WriteBackArgs w = writeBacks.get(group.get(g));
          keysAndArgs[g * 4] = w.key();
          keysAndArgs[g * 4 + 1] = w.lockKey();
          keysAndArgs[g * 4 + 2] = w.versionKey();
          keysAndArgs[g * 4 + 3] = marker(c, w.cleared(), w.versionKey());
          int a = n + 1 + g * 7;
          keysAndArgs[a] = w.value();
          keysAndArgs[a + 1] = RedisKeys.bytes(Long.toString(w.ttlMillis()));
          keysAndArgs[a + 2] = w.token();
          keysAndArgs[a + 3] = RedisKeys.bytes(Long.toString(w.readVersion()));
          keysAndArgs[a + 4] = RedisKeys.bytes(Long.toString(w.versionTtlMillis()));
          keysAndArgs[a + 5] = w.loadedMessage();
          keysAndArgs[a + 6] = w.releasedMessage();
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

  /**
   * {@code put.lua}: whether the put was taken (not refused for a higher data version) and the key's
   * version after it.
   *
   * @param dataVersion the value's data version as digits, or empty for none
   */
  PutReply put(byte[] key, byte[] lockKey, byte[] versionKey, byte[] cleared, byte[] dataVersionKey, byte[] value,
      long ttlMillis, long versionTtlMillis, String dataVersion, byte[] channel, byte[] messageHead,
      byte[] messageTail) {
    List<Object> reply = execute("put", false, (RedisCallback<List<Object>>) c -> Scripts.eval(c, PUT,
        ReturnType.MULTI, 5, key, lockKey, versionKey, marker(c, cleared, versionKey), dataVersionKey,
        RedisKeys.bytes(Long.toString(versionTtlMillis)), channel, messageHead, messageTail, value,
        RedisKeys.bytes(Long.toString(ttlMillis)), RedisKeys.bytes(dataVersion)));
    if (reply == null || reply.size() < 2) {
      throw new IllegalStateException("Unexpected reply to the put script: " + reply);
    }
    return new PutReply(((Number) reply.get(0)).intValue() == 1, parseVersion(reply.get(1)));
  }

  /** What {@code put.lua} returned. */
  record PutReply(boolean taken, long version) {}

  /** {@code evict.lua}; returns the key's new version. */
  long evict(byte[] key, byte[] lockKey, byte[] versionKey, byte[] cleared, long versionTtlMillis, byte[] channel,
      byte[] messageHead, byte[] messageTail) {
    byte[] version = execute("evict", false, (RedisCallback<byte[]>) c -> Scripts.eval(c, EVICT, ReturnType.VALUE,
        4, key, lockKey, versionKey, marker(c, cleared, versionKey), RedisKeys.bytes(Long.toString(versionTtlMillis)),
        channel, messageHead, messageTail));
    return parseVersion(version);
  }

  /** The keys of one {@link #evictAll} evict, and its message's tail. */
  record EvictArgs(byte[] key, byte[] lockKey, byte[] versionKey, byte[] messageTail) {}

  /**
   * {@code evict.lua} for each of {@code evicts}, pipelined: the replay of the writes a failover may
   * have lost, which would otherwise take a round trip per key while other instances read the values
   * they replace.
   */
  void evictAll(List<EvictArgs> evicts, byte[] cleared, long versionTtlMillis, byte[] channel, byte[] messageHead) {
    byte[] ttl = RedisKeys.bytes(Long.toString(versionTtlMillis));
    evalAll("evict", EVICT, ReturnType.VALUE, 4, c -> {
      List<byte[][]> calls = new ArrayList<>(evicts.size());
      for (EvictArgs e : evicts) {
        calls.add(new byte[][] {e.key(), e.lockKey(), e.versionKey(), marker(c, cleared, e.versionKey()), ttl, channel,
            messageHead, e.messageTail()});
      }
      return calls;
    });
  }

  /** {@code release.lua} for each lock of {@code lockKeys} still held by its token, pipelined. */
  void releaseAll(List<byte[]> lockKeys, List<byte[]> tokens, byte[] channel, List<byte[]> releasedMessages) {
    List<byte[][]> calls = new ArrayList<>(lockKeys.size());
    for (int i = 0; i < lockKeys.size(); i++) {
      calls.add(new byte[][] {lockKeys.get(i), tokens.get(i), channel, releasedMessages.get(i)});
    }
    evalAll("unlock", RELEASE, ReturnType.INTEGER, 1, c -> calls);
  }

  /**
   * Runs {@code script} once per item of {@code calls} (its keys then its arguments, for the
   * connection: a cluster's has no clear marker), in one pipeline; on Redis Cluster, whose connection
   * does not pipeline, all sent at once through Lettuce's asynchronous commands (one at a time took
   * about a second for a failover's replay). One call at a time with another client, and when the
   * pipeline fails: it takes a connection of its own, which a client may fail to open (to a master the
   * sentinels have not all agreed on yet) while the shared one works. Sent whatever the guard says.
   */
  private void evalAll(String operation, byte[] script, ReturnType type, int numKeys,
      java.util.function.Function<RedisConnection, List<byte[][]>> callsFor) {
    execute(operation, false, (RedisCallback<Object>) c -> {
      List<byte[][]> calls = callsFor.apply(c);
      if (!(c instanceof RedisClusterConnection)) {
        String sha = Scripts.loaded(c, script);
        try {
          c.openPipeline();
          for (byte[][] call : calls) {
            c.scriptingCommands().evalSha(sha, type, numKeys, call);
          }
          c.closePipeline(); // throws when a command failed
          return null;
        } catch (RuntimeException pipelineFailed) {
          if (c.isPipelined()) {
            try {
              c.closePipeline();
            } catch (RuntimeException ignored) {
              // the pipeline's own failure
            }
          }
        }
      }
      if (LETTUCE && c instanceof RedisClusterConnection && LettuceAsyncScripts.evalAll(c, script, type, numKeys, calls)) {
        return null;
      }
      for (byte[][] call : calls) {
        Scripts.eval(c, script, type, numKeys, call);
      }
      return null;
    });
  }

  /**
   * {@code clear.lua}: raises the cache's clear marker and returns it; on Redis Cluster, where no
   * script reaches every slot, nothing is raised: {@code -1}.
   */
  long raiseClearMarker(byte[] cleared, long ttlMillis) {
    byte[] version = execute("clear", false, (RedisCallback<byte[]>) c -> c instanceof RedisClusterConnection ? null
        : Scripts.eval(c, CLEAR, ReturnType.VALUE, 1, cleared, RedisKeys.bytes(Long.toString(ttlMillis))));
    return version == null ? -1 : parseVersion(version);
  }

  /**
   * {@code write-back-one.lua}: 1 stored, 0 the key changed since {@code readVersion}, -1 the lock of
   * {@code token} is gone ({@code token} empty: no lock).
   */
  long writeBack(WriteBackArgs w, byte[] channel) {
    Long reply = execute("put", true, (RedisCallback<Long>) c -> Scripts.eval(c, WRITE_BACK, ReturnType.INTEGER, 4,
        w.key(), w.lockKey(), w.versionKey(), marker(c, w.cleared(), w.versionKey()), w.value(),
        RedisKeys.bytes(Long.toString(w.ttlMillis())), w.token(), RedisKeys.bytes(Long.toString(w.readVersion())),
        RedisKeys.bytes(Long.toString(w.versionTtlMillis())), channel, w.loadedMessage(), w.releasedMessage()));
    return reply == null ? -1 : reply;
  }

  /** A version as a script returns it: its digits. */
  static long parseVersion(Object reply) {
    if (reply instanceof byte[] digits) {
      return Long.parseLong(new String(digits, java.nio.charset.StandardCharsets.US_ASCII));
    }
    if (reply instanceof Number n) {
      return n.longValue();
    }
    throw new IllegalStateException("Unexpected version in a script's reply: " + reply);
  }

  /** {@code SET lockKey token NX PX lease}. */
  boolean tryLock(byte[] lockKey, byte[] token, long leaseMillis) {
    Boolean set = execute("lock", true, (RedisCallback<Boolean>) c -> c.stringCommands()
        .set(lockKey, token, Expiration.milliseconds(leaseMillis), SetOption.ifAbsent()));
    return Boolean.TRUE.equals(set);
  }

  /** {@code release.lua}. Always sent: a lock left behind makes the other instances wait for nothing. */
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

  /**
   * {@code INFO server} of the server the commands go to, past the guard: its {@code run_id} names the
   * process, and another one than before means another process answers (a failover, or a restart),
   * which may have lost writes the previous one acknowledged. On Redis Cluster, where each slot range
   * has a master of its own, the {@code run_id} given is the sorted ids of the nodes that serve slots
   * (a replica taking over a failed master's slots changes it), and nothing else is.
   */
  java.util.Properties serverInfo() {
    return execute("info", false, (RedisCallback<java.util.Properties>) c -> {
      if (c instanceof RedisClusterConnection cluster) {
        // Asked of a node, not of the client's slot map, which follows only at its next refresh.
        Object nodes = cluster.execute("CLUSTER", RedisKeys.bytes("NODES"));
        List<String> serving = new ArrayList<>();
        String text = nodes instanceof byte[] bytes ? new String(bytes, java.nio.charset.StandardCharsets.UTF_8)
            : String.valueOf(nodes);
        for (String line : text.split("\n")) {
          String[] fields = line.trim().split(" ");
          // <id> <ip:port@bus> <flags> <master> <ping> <pong> <epoch> <link> <slot>...
          if (fields.length > 8 && fields[2].contains("master") && !fields[2].contains("fail")) {
            serving.add(fields[0]);
          }
        }
        serving.sort(null);
        java.util.Properties masters = new java.util.Properties();
        masters.setProperty("run_id", String.join(",", serving));
        return masters;
      }
      return c.serverCommands().info("server");
    });
  }

  /** Publishes {@code message} on {@code channel}; always sent (a write's invalidation). */
  void publish(byte[] channel, byte[] message) {
    execute("publish", false, (RedisCallback<Long>) c -> c.publish(channel, message));
  }
}
