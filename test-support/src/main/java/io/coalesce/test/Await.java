package io.coalesce.test;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition that background work makes true, failing the test after a deadline. */
public final class Await {

  private Await() {}

  /** Waits until {@code condition} holds, polling every few milliseconds, at most {@code timeout}. */
  public static void until(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout);
      }
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting", e);
      }
    }
  }

  /** {@link #until(BooleanSupplier, Duration)} with 20 s, generous for a loaded CI machine. */
  public static void until(BooleanSupplier condition) {
    until(condition, Duration.ofSeconds(20));
  }
}
