package io.coalesce.core;

/**
 * A nanosecond time source for durations (how long a load took, how long to wait for another
 * instance's load), as Caffeine's {@code Ticker}: the engine never reads {@code System.nanoTime()}
 * itself, so tests advance a ticker instead of sleeping. Logical expiry uses the
 * {@link java.time.Clock} instead, because it travels between instances.
 */
@FunctionalInterface
public interface Ticker {

  /** The system's monotonic time, {@link System#nanoTime()}. */
  Ticker SYSTEM = System::nanoTime;

  /** Nanoseconds from an arbitrary origin; only differences mean anything. */
  long read();
}
