package io.coalesce.redis.internal;

import java.lang.reflect.Type;

/**
 * What one Redis call of the tier came to, published by the store's single seam
 * ({@code RedisStore}) to whoever subscribes: the health state (which logs transitions), the metrics,
 * the replay of writes that failed. Call sites never do this bookkeeping themselves.
 */
public sealed interface RedisOutcome {

  /**
   * Every operation name the tier reports, so that their error counters can exist (at zero) before
   * the first error: a Prometheus {@code increase()} cannot see a series' first sample.
   */
  java.util.List<String> OPERATIONS = java.util.List.of("get", "put", "lock", "unlock", "evict", "clear",
      "delete", "publish", "ping", "info", "bloom", "decode", "encode");

  /** The operation's name, as the {@code operation} tag of {@code coalesce.redis.errors}. */
  String operation();

  /** Redis answered. */
  record Succeeded(String operation) implements RedisOutcome {}

  /** Redis failed (an error reply, a timeout, no connection). */
  record Failed(String operation, Throwable error) implements RedisOutcome {}

  /** Not sent: the circuit breaker is open. Not a Redis error. */
  record Skipped(String operation) implements RedisOutcome {}

  /**
   * Bytes read from Redis were not an entry of the expected type: a miss; deleted, unless
   * {@code foreign} (an instance with another version of the value type wrote it: kept for it).
   */
  record Undecodable(String cache, String key, Throwable error, boolean foreign) implements RedisOutcome {
    @Override
    public String operation() {
      return "decode";
    }
  }

  /** A value the codec cannot write: served and kept in L1, not stored in Redis. */
  record Unencodable(String cache, Type type, Throwable error) implements RedisOutcome {
    @Override
    public String operation() {
      return "encode";
    }
  }
}
