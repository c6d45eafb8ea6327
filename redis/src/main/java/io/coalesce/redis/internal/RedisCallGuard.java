package io.coalesce.redis.internal;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Stands in front of the Redis tier's reads: decides whether one may run, learns from outcomes, and
 * says whether Redis counts as available. The Resilience4j circuit breaker is one
 * ({@link CircuitBreakerCallGuard}); {@link #lastOutcome()} is the plain one, used without
 * Resilience4j: it runs every call and judges availability by the last outcome.
 */
public interface RedisCallGuard {

  /**
   * Runs {@code command}, or throws {@link RedisSkippedException} without running it when Redis is
   * known to be failing.
   */
  <T> T call(Supplier<T> command);

  /**
   * A call made past the guard (a write, which is always tried; a probe) ended after {@code nanos},
   * failing with {@code error} or, when it is {@code null}, successfully.
   */
  void record(long nanos, Throwable error);

  /** Whether Redis counts as available now (reads are let through, and L1 copies are capped by local.ttl). */
  boolean isAvailable();

  /**
   * Whether calls run without being rationed: {@code false} while a breaker is half-open (its few
   * trial calls decide whether it closes) or open. A read that may cost a second call when one would
   * do is made only while this holds.
   */
  default boolean isSettled() {
    return isAvailable();
  }

  /** Redis answered a probe while reads were refused: let them through again to find out. */
  default void probeSucceeded() {}

  /**
   * Tells the guard whether Redis has answered since start-up, so that it does not warn a second
   * time about a Redis that was never reachable (the start-up warning already said so).
   */
  default void answeredSinceStartUp(BooleanSupplier answered) {}

  /** A short description of the guard's state for operators, e.g. {@code CLOSED}. */
  default String state() {
    return isAvailable() ? "AVAILABLE" : "FAILING";
  }

  /**
   * Whether {@code error} is Redis refusing a write because it is out of memory ({@code maxmemory}
   * under {@code noeviction}: "OOM command not allowed when used memory > 'maxmemory'", also inside a
   * script's error, which Redis 6 prefixes with the script's name). Redis answered, at once, and
   * still serves reads, deletes and the scripts that delete first (puts, evicts): not a failure of
   * Redis for a guard, which would otherwise skip the reads too, or, with a breaker, open it, have
   * the recovery probe's {@code PING} close it again, and flap for as long as the writes are refused.
   */
  static boolean refusesWrites(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = t.getMessage();
      if (message != null && message.contains("OOM command not allowed")) {
        return true;
      }
    }
    return false;
  }

  /** Runs every call; Redis is available when the last call (of any kind) succeeded. */
  static RedisCallGuard lastOutcome() {
    return new RedisCallGuard() {
      private volatile boolean lastFailed;

      @Override
      public <T> T call(Supplier<T> command) {
        try {
          T result = command.get();
          lastFailed = false;
          return result;
        } catch (RuntimeException e) {
          lastFailed = !refusesWrites(e);
          throw e;
        }
      }

      @Override
      public void record(long nanos, Throwable error) {
        lastFailed = error != null && !refusesWrites(error);
      }

      @Override
      public boolean isAvailable() {
        return !lastFailed;
      }

      @Override
      public void probeSucceeded() {
        lastFailed = false;
      }
    };
  }
}
