package io.coalesce.redis.internal;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Stands in front of every Redis command of the tier: decides whether it may run and learns from
 * its outcome. The Resilience4j circuit breaker is one ({@link CircuitBreakerCallGuard}); without
 * one, every command runs.
 */
public interface RedisCallGuard {

  /** Runs every command. */
  RedisCallGuard NONE = new RedisCallGuard() {
    @Override
    public <T> T call(Supplier<T> command) {
      return command.get();
    }
  };

  /**
   * Runs {@code command}, or throws {@link RedisSkippedException} without running it when Redis is
   * known to be failing.
   */
  <T> T call(Supplier<T> command);

  /** Whether commands currently run (for health); {@code true} when nothing is known. */
  default boolean permitsCalls() {
    return true;
  }

  /**
   * Tells the guard whether Redis has answered since start-up, so that it does not warn a second
   * time about a Redis that was never reachable (the start-up warning already said so).
   */
  default void answeredSinceStartUp(BooleanSupplier answered) {}

  /** A short description of the guard's state for operators, e.g. {@code CLOSED}. */
  default String state() {
    return "NONE";
  }
}
