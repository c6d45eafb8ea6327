package io.coalesce.redis.internal;

/**
 * A Redis command that was not run because Redis is known to be failing (the circuit is open). Not
 * a Redis error: it is not counted as one and never logged per call.
 */
public final class RedisSkippedException extends RuntimeException {

  public RedisSkippedException(String message) {
    super(message, null, false, false); // thrown per call while open: no stack trace to fill
  }
}
