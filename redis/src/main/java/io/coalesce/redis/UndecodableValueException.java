package io.coalesce.redis;

/**
 * Bytes read from Redis are not a value this codec can decode; treated as a miss, never thrown to
 * callers. When the bytes are a well-formed entry written by an instance whose value type differs
 * from this one's ({@link #isForeign()}: a rolling deploy that changed the type), the value is left
 * alone, for the instances that can read it; otherwise it is deleted.
 */
public class UndecodableValueException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final boolean foreign;

  public UndecodableValueException(String message) {
    this(message, null, false);
  }

  public UndecodableValueException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * @param foreign whether the bytes are an entry of another value type (not corrupt): it is kept
   */
  public UndecodableValueException(String message, Throwable cause, boolean foreign) {
    super(message, cause);
    this.foreign = foreign;
  }

  /** Whether an instance with another type for the value wrote it: the value is kept, not deleted. */
  public boolean isForeign() {
    return foreign;
  }
}
