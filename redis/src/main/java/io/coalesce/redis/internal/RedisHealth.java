package io.coalesce.redis.internal;

import io.coalesce.redis.UnreadableValueException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Type;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.springframework.core.NestedExceptionUtils;

/**
 * What the Redis tier's calls came to, for operators: a subscriber of every {@link RedisOutcome}. It
 * counts failures (commands skipped by an open breaker apart: they are not Redis errors) and knows
 * since when Redis has been failing. Without a circuit breaker it also logs one WARNING when Redis
 * starts failing and one INFO when it answers again (with one, the breaker's transitions are the
 * log lines) — never a line per call. A value that cannot be encoded is logged once per cache and
 * type. Thread-safe; one per application.
 */
public final class RedisHealth {

  private static final System.Logger LOG = System.getLogger(RedisHealth.class.getName());

  private final AtomicBoolean failing = new AtomicBoolean();
  private final LongAdder failures = new LongAdder();
  private final LongAdder undecodable = new LongAdder();
  private final LongAdder unencodable = new LongAdder();
  private final LongAdder skipped = new LongAdder();
  private final Map<String, Boolean> unencodableReported = new ConcurrentHashMap<>();
  private final Map<String, Boolean> foreignReported = new ConcurrentHashMap<>();
  private final boolean logTransitions;
  private final Clock clock;
  private volatile long failingSinceMillis;
  private volatile boolean answered;

  /**
   * @param logTransitions whether to log when Redis starts and stops failing; off when a circuit
   *     breaker logs its own transitions
   */
  RedisHealth(boolean logTransitions, Clock clock) {
    this.logTransitions = logTransitions;
    this.clock = clock;
  }

  /** Receives every outcome of the tier's calls. */
  void record(RedisOutcome outcome) {
    if (outcome instanceof RedisOutcome.Succeeded) {
      succeeded();
    } else if (outcome instanceof RedisOutcome.Failed f) {
      failed(f.operation(), f.error());
    } else if (outcome instanceof RedisOutcome.Skipped) {
      skipped.increment();
    } else if (outcome instanceof RedisOutcome.Undecodable u) {
      undecodable.increment();
      if (u.foreign() && foreignReported.putIfAbsent(u.cache(), Boolean.TRUE) == null) {
        LOG.log(Level.WARNING, "Values in cache '" + u.cache() + "' in Redis were written by instances with "
            + "another version of the cached type (a rolling deploy that changed it?): this instance cannot "
            + "read them (" + rootMessage(u.error()) + "). It leaves them to those instances, loads its own "
            + "and keeps them in its L1 only until the others are gone. Logged once per cache; counted as "
            + "coalesce.redis.errors{operation=decode}");
      } else {
        LOG.log(Level.DEBUG, () -> "Undecodable value of key '" + u.key() + "' in cache '" + u.cache()
            + (u.foreign() ? "' kept (another version of its type wrote it)" : "' deleted")
            + " and treated as a miss: " + u.error().getMessage());
      }
    } else if (outcome instanceof RedisOutcome.Unencodable u) {
      unencodable.increment();
      reportOnce(u.cache(), u.type(), u.error());
    }
  }

  private void failed(String operation, Throwable error) {
    failures.increment();
    if (RedisCallGuard.refusesWrites(error)) {
      return; // Redis answered (RedisTiers logs the refusals once): not failing
    }
    if (failing.compareAndSet(false, true)) {
      failingSinceMillis = clock.millis();
      if (logTransitions) {
        LOG.log(Level.WARNING, "Redis is failing for Coalesce (" + operation + ": " + error
            + "); calls are served from L1 and the loaders until it answers again");
      }
    }
  }

  private void succeeded() {
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

  private void reportOnce(String cache, Type type, Throwable error) {
    if (unencodableReported.putIfAbsent(cache + '|' + type.getTypeName(), Boolean.TRUE) != null) {
      return;
    }
    String unreadable = unreadableMessage(error);
    if (unreadable != null) {
      LOG.log(Level.WARNING, "Values of " + type.getTypeName() + " in cache '" + cache + "' are not written to "
          + "Redis: " + unreadable + " They are served to their callers and kept in L1, so every instance loads "
          + "them on its own. Logged once per cache and type; counted as coalesce.redis.errors{operation=encode}");
    } else {
      LOG.log(Level.WARNING, "Values of " + type.getTypeName() + " in cache '" + cache + "' cannot be written "
          + "to Redis (" + rootMessage(error) + "): they are served to their callers and kept in L1, but not "
          + "stored in Redis, so every instance loads them on its own. Make the type writable by Jackson (for a "
          + "JPA entity: no lazy associations in it, or cache a DTO), or define an EntryCodec bean. Logged "
          + "once per cache and type; counted as coalesce.redis.errors{operation=encode}");
    }
  }

  /** The codec's own account of a value it wrote but could not read back (it names what to do), if that was it. */
  private static String unreadableMessage(Throwable error) {
    for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof UnreadableValueException) {
        return e.getMessage();
      }
    }
    return null;
  }

  private static String rootMessage(Throwable error) {
    Throwable root = NestedExceptionUtils.getMostSpecificCause(error);
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /** Redis failures absorbed so far. */
  public long failures() {
    return failures.sum();
  }

  /** Values read from Redis that could not be decoded (and were deleted). */
  public long undecodable() {
    return undecodable.sum();
  }

  /** Values that could not be encoded (and were not stored). */
  public long unencodable() {
    return unencodable.sum();
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
