package io.coalesce.metrics;

import io.coalesce.redis.internal.RedisOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Counts the Redis failures the tier absorbed as {@code coalesce.redis.errors}, tagged with the
 * operation that failed ({@code get}, {@code put}, {@code lock}, {@code evict}, {@code publish}, ...),
 * {@code decode} for a value that could not be read back and {@code encode} for one that could not be
 * written. A subscriber of the tier's outcomes. Commands skipped by an open circuit breaker are not
 * errors and are not counted here (the breaker's own metrics show them).
 */
final class RedisErrorCounter implements Consumer<RedisOutcome> {

  private final MeterRegistry registry;
  private final Map<String, Counter> byOperation = new ConcurrentHashMap<>();

  RedisErrorCounter(MeterRegistry registry) {
    this.registry = registry;
    // at zero from the start: dashboards see zeros rather than gaps, and an alert on increase() sees the first error
    RedisOutcome.OPERATIONS.forEach(this::counter);
  }

  private Counter counter(String operation) {
    return byOperation.computeIfAbsent(operation, op -> Counter.builder("coalesce.redis.errors")
        .description("Redis failures absorbed by Coalesce (callers were served from L1 and the loaders)")
        .tag("operation", op)
        .register(registry));
  }

  @Override
  public void accept(RedisOutcome outcome) {
    if (outcome instanceof RedisOutcome.Failed || outcome instanceof RedisOutcome.Undecodable
        || outcome instanceof RedisOutcome.Unencodable) {
      counter(outcome.operation()).increment();
    }
  }
}
