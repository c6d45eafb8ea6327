package io.coalesce.redis;

/** Bytes read from Redis are not a value this codec can decode; treated as a miss, never thrown to callers. */
public class UndecodableValueException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public UndecodableValueException(String message) {
    super(message);
  }

  public UndecodableValueException(String message, Throwable cause) {
    super(message, cause);
  }
}
