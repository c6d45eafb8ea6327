package io.coalesce.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * Byte-level Redis I/O for the L2 tier: reads, writes, the rebuild lock's scripts and events. No
 * policy and no error handling here: exceptions (and {@link RedisSkippedException} when the guard
 * skips a command) propagate to {@link RedisRemoteTier}, which decides what a failure means.
 * Thread-safe.
 */
final class RedisStore {

  /**
   * The fenced write-back in one round trip: writes the value only while the caller's token still
   * holds the lock, then releases the lock and tells the waiting instances (three round trips
   * before).
   */
  private static final byte[] FENCED_SET = RedisKeys.bytes("""
      if redis.call('GET', KEYS[2]) == ARGV[1] then
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        redis.call('DEL', KEYS[2])
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return 1
      end
      return 0""");

  /**
   * A put: writes the value and removes the key's rebuild lock in one step, so that a load running
   * elsewhere under that lock (which may have read the data before the write) cannot overwrite it.
   */
  private static final byte[] SET_AND_UNLOCK = RedisKeys.bytes("""
      redis.call('DEL', KEYS[2])
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      return 1""");

  /** Deletes the lock only when the caller owns it. */
  private static final byte[] RELEASE = RedisKeys.bytes("""
      if redis.call('GET', KEYS[1]) == ARGV[1] then
        return redis.call('DEL', KEYS[1])
      end
      return 0""");

  private final RedisTemplate<byte[], byte[]> template;
  private final RedisCallGuard guard;

  RedisStore(RedisConnectionFactory connectionFactory, RedisCallGuard guard) {
    this.guard = guard;
    RedisTemplate<byte[], byte[]> template = new RedisTemplate<>();
    template.setConnectionFactory(connectionFactory);
    template.setEnableDefaultSerializer(false);
    template.afterPropertiesSet();
    this.template = template;
  }

  /** Every command goes through the guard (the circuit breaker), one call per round trip. */
  private <T> T execute(RedisCallback<T> command) {
    return guard.call(() -> template.execute(command));
  }

  byte[] get(byte[] key) {
    return execute((RedisCallback<byte[]>) c -> c.stringCommands().get(key));
  }

  /** {@link #SET_AND_UNLOCK}: the value and its lock share a Redis Cluster slot (see RedisKeys). */
  void setAndUnlock(byte[] key, byte[] lockKey, byte[] value, long ttlMillis) {
    execute((RedisCallback<Long>) c -> c.scriptingCommands().eval(SET_AND_UNLOCK, ReturnType.INTEGER, 2,
        key, lockKey, value, RedisKeys.bytes(Long.toString(ttlMillis))));
  }

  /**
   * Writes {@code value} while {@code token} holds {@code lockKey}; then deletes the lock and
   * publishes {@code message} on {@code channel}.
   *
   * @return whether the value was written (and the lock released)
   */
  boolean fencedSet(byte[] key, byte[] lockKey, byte[] token, byte[] value, long ttlMillis,
      byte[] channel, byte[] message) {
    Long stored = execute((RedisCallback<Long>) c -> c.scriptingCommands().eval(FENCED_SET,
        ReturnType.INTEGER, 2, key, lockKey, token, value, RedisKeys.bytes(Long.toString(ttlMillis)),
        channel, message));
    return stored != null && stored == 1L;
  }

  /** {@code SET lockKey token NX PX lease}. */
  boolean tryLock(byte[] lockKey, byte[] token, long leaseMillis) {
    Boolean set = execute((RedisCallback<Boolean>) c -> c.stringCommands()
        .set(lockKey, token, Expiration.milliseconds(leaseMillis), SetOption.ifAbsent()));
    return Boolean.TRUE.equals(set);
  }

  void release(byte[] lockKey, byte[] token) {
    execute((RedisCallback<Long>) c ->
        c.scriptingCommands().eval(RELEASE, ReturnType.INTEGER, 1, lockKey, token));
  }

  /**
   * Deletes a value and its lock in one command (they share a slot): a load running elsewhere under
   * the lock can then no longer write back the value it read before the delete.
   */
  void delete(byte[] key, byte[] lockKey) {
    execute((RedisCallback<Long>) c -> c.keyCommands().del(lockKey, key));
  }

  /** Deletes every key matching {@code pattern}, scanning each master of a cluster. */
  long deleteMatching(byte[] pattern) {
    Long deleted = execute((RedisCallback<Long>) c -> {
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
  long evalInteger(byte[] script, int numKeys, byte[]... keysAndArgs) {
    Long reply = execute((RedisCallback<Long>) c ->
        c.scriptingCommands().eval(script, ReturnType.INTEGER, numKeys, keysAndArgs));
    return reply == null ? 0 : reply;
  }

  long increment(byte[] key) {
    Long value = execute((RedisCallback<Long>) c -> c.stringCommands().incr(key));
    return value == null ? 0 : value;
  }

  boolean setIfAbsent(byte[] key, byte[] value, long ttlMillis) {
    Boolean set = execute((RedisCallback<Boolean>) c -> c.stringCommands()
        .set(key, value, Expiration.milliseconds(ttlMillis), SetOption.ifAbsent()));
    return Boolean.TRUE.equals(set);
  }

  void set(byte[] key, byte[] value, long ttlMillis) {
    execute((RedisCallback<Boolean>) c ->
        c.stringCommands().set(key, value, Expiration.milliseconds(ttlMillis), SetOption.upsert()));
  }

  /** {@code BITOP OR destination destination source}: merges {@code source}'s bits into {@code destination}. */
  void bitOr(byte[] destination, byte[] source) {
    execute((RedisCallback<Long>) c -> c.stringCommands()
        .bitOp(RedisStringCommands.BitOperation.OR, destination, destination, source));
  }

  void delete(byte[] key) {
    execute((RedisCallback<Long>) c -> c.keyCommands().del(key));
  }

  void ping() {
    execute((RedisCallback<String>) RedisConnectionCommands::ping);
  }

  void publish(byte[] channel, String message) {
    execute((RedisCallback<Long>) c ->
        c.publish(channel, message.getBytes(StandardCharsets.UTF_8)));
  }
}
