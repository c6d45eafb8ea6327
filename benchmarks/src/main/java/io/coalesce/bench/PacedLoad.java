package io.coalesce.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * A steady load: each of {@code threads} callers makes one call every {@code periodNanos} for
 * {@code durationNanos}. Latency is timed from when the call was due, not from when it started, so a
 * caller held up by a stall counts every call it could not make meanwhile (no coordinated
 * omission): a 50 ms stall at one call per millisecond shows as 50 slow calls, not one.
 */
final class PacedLoad {

  /** @param worstDueNanos when ({@code System.nanoTime()}) the slowest call was due */
  record Outcome(Latencies latencies, int errors, long lastErrorNanos, long calls, double seconds, long worstDueNanos) {
    double throughput() {
      return calls / seconds;
    }
  }

  private PacedLoad() {}

  /** @param call given a sequence number, makes one call */
  static Outcome run(int threads, long periodNanos, long durationNanos, LongFunction<Object> call)
      throws InterruptedException {
    int perThread = (int) (durationNanos / periodNanos) + 1;
    long[][] nanos = new long[threads][perThread];
    int[] counts = new int[threads];
    AtomicInteger errors = new AtomicInteger();
    AtomicLong lastError = new AtomicLong(Long.MIN_VALUE);
    AtomicLong sequence = new AtomicLong();
    long[] worst = new long[threads];
    long[] worstDue = new long[threads];
    CountDownLatch done = new CountDownLatch(threads);
    long start = System.nanoTime() + 20_000_000; // every thread starts on the same schedule
    for (int t = 0; t < threads; t++) {
      int thread = t;
      new Thread(() -> {
        try {
          long offset = periodNanos * thread / threads; // spread the threads over one period
          for (int i = 0; i < perThread; i++) {
            long due = start + offset + i * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
            try {
              call.apply(sequence.getAndIncrement());
            } catch (RuntimeException e) {
              errors.incrementAndGet();
              lastError.accumulateAndGet(System.nanoTime(), Math::max);
            }
            long took = System.nanoTime() - due;
            nanos[thread][i] = took;
            if (took > worst[thread]) {
              worst[thread] = took;
              worstDue[thread] = due;
            }
            counts[thread] = i + 1;
          }
        } finally {
          done.countDown();
        }
      }, "load-" + t).start();
    }
    done.await();
    double seconds = (System.nanoTime() - start) / 1e9;
    Latencies latencies = Latencies.merge(nanos, counts);
    int slowest = 0;
    for (int t = 1; t < threads; t++) {
      if (worst[t] > worst[slowest]) {
        slowest = t;
      }
    }
    return new Outcome(latencies, errors.get(), lastError.get(), latencies.count(), seconds, worstDue[slowest]);
  }
}
