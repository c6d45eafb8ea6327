package io.coalesce.redis;

/**
 * A value a codec could write but not read back (a class outside {@code coalesce.redis.trusted-packages}
 * named in a property declared polymorphic by class name, a type Jackson cannot construct): it is
 * not encoded, so it is served and kept in L1 but never written to Redis, where every read of it would
 * be a miss. Its message says what to change.
 */
public class UnreadableValueException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  public UnreadableValueException(String message, Throwable cause) {
    super(message, cause);
  }
}
