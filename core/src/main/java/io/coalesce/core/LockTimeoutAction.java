package io.coalesce.core;

/** What an instance does when another instance's load did not arrive within {@code lock.wait}. */
public enum LockTimeoutAction {
  /** Load the value itself (the default): the caller is served, the database sees one more load. */
  LOAD,
  /** Fail the callers with {@link LoadTimeoutException}: the database is protected first. */
  FAIL
}
