package io.coalesce.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Counts the Redis failures the tier absorbed as {@code coalesce.redis.errors}, tagged with the
 * operation that failed ({@code get}, {@code set}, {@code lock}, {@code publish}, {@code decode}, ...).
 * Pass it to {@code RedisErrors.observe}. Commands skipped by an open circuit breaker are not errors
 * and are not counted here (the breaker's own metrics show them).
 */
final class RedisErrorCounter implements BiConsumer<String, Throwable> {

  private final MeterRegistry registry;
  private final Map<String, Counter> byOperation = new ConcurrentHashMap<>();

  RedisErrorCounter(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void accept(String operation, Throwable error) {
    byOperation.computeIfAbsent(operation, op -> Counter.builder("coalesce.redis.errors")
        .description("Redis failures absorbed by Coalesce (callers were served from L1 and the loaders)")
        .tag("operation", op)
        .register(registry)).increment();
  }
}
