package io.coalesce.redis.internal;

import io.coalesce.redis.EntryCodec;
import io.coalesce.redis.UndecodableValueException;

import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;

/**
 * Where the Redis tier reports failures it absorbed. Counts every failure, passing it to an optional
 * observer (metrics). Without a circuit breaker it also logs one WARNING when Redis starts failing
 * and one INFO when it answers again (with one, the breaker's transitions are the log lines) —
 * never a line per call. Commands the breaker skipped are counted apart: they are not Redis errors.
 * Thread-safe; one per application.
 */
public final class RedisErrors {

  private static final System.Logger LOG = System.getLogger(RedisErrors.class.getName());

  private final AtomicBoolean failing = new AtomicBoolean();
  private final LongAdder failures = new LongAdder();
  private final LongAdder undecodable = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final boolean logTransitions;
  private volatile long failingSinceMillis;
  private volatile boolean answered;
  private volatile BiConsumer<String, Throwable> observer = (operation, error) -> {};

  /**
   * @param logTransitions whether to log when Redis starts and stops failing; off when a circuit
   *     breaker logs its own transitions
   */
  public RedisErrors(boolean logTransitions) {
    this.logTransitions = logTransitions;
  }

  /** Receives {@code (operation, error)} for every absorbed failure, e.g. to count it by operation. */
  public void observe(BiConsumer<String, Throwable> observer) {
    this.observer = observer;
  }

  void failed(String operation, RuntimeException error) {
    if (error instanceof RedisSkippedException) {
      skipped.increment();
      return;
    }
    failures.increment();
    notifyObserver(operation, error);
    if (failing.compareAndSet(false, true)) {
      failingSinceMillis = System.currentTimeMillis();
      if (logTransitions) {
        LOG.log(Level.WARNING, "Redis is failing for Coalesce (" + operation + ": " + error
            + "); calls are served from L1 and the loaders until it answers again");
      }
    }
  }

  void succeeded() {
    if (!answered) {
      answered = true;
    }
    if (failing.get() && failing.compareAndSet(true, false)) {
      failingSinceMillis = 0;
      if (logTransitions) {
        LOG.log(Level.INFO, "Redis answers Coalesce again; the shared tier is back in use");
      }
    }
  }

  void undecodable(String cache, String key, UndecodableValueException error) {
    undecodable.increment();
    notifyObserver("decode", error);
    LOG.log(Level.DEBUG, () -> "Undecodable value of key '" + key + "' in cache '" + cache
        + "' deleted and treated as a miss: " + error.getMessage());
  }

  private void notifyObserver(String operation, Throwable error) {
    try {
      observer.accept(operation, error);
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Redis error observer failed", e);
    }
  }

  /** Redis failures absorbed so far. */
  public long failures() {
    return failures.sum();
  }

  /** Values read from Redis that could not be decoded (and were deleted). */
  public long undecodable() {
    return undecodable.sum();
  }

  /** Redis commands skipped because the circuit breaker was open. */
  public long skipped() {
    return skipped.sum();
  }

  /** Since when Redis has been failing (epoch millis), or 0 when it is not. */
  public long failingSinceMillis() {
    return failingSinceMillis;
  }

  /** Whether any Redis command has succeeded since start-up. */
  public boolean hasAnswered() {
    return answered;
  }

  /** Whether the last Redis call failed. */
  public boolean isFailing() {
    return failing.get();
  }
}
