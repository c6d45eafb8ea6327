package io.coalesce.core;

/** Base class of the exceptions Coalesce itself raises (never used to wrap a loader's exception). */
public class CoalesceException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public CoalesceException(String message) {
    super(message);
  }

  public CoalesceException(String message, Throwable cause) {
    super(message, cause);
  }
}
