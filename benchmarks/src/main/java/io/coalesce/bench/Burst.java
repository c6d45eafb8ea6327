package io.coalesce.bench;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A stampede: {@code threads} callers released together, each making one call; latency is timed
 * from the release (waiting for a CPU or a connection is part of a stampede).
 */
final class Burst {

  record Outcome(Latencies latencies, int errors) {}

  private Burst() {}

  /** @param call the call of caller {@code i} */
  static Outcome run(int threads, IntFunction<Object> call) throws InterruptedException {
    long[] nanos = new long[threads];
    AtomicInteger errors = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(threads);
    long[] release = new long[1];
    for (int i = 0; i < threads; i++) {
      int caller = i;
      Thread thread = new Thread(() -> {
        ready.countDown();
        try {
          go.await();
          try {
            call.apply(caller);
          } catch (RuntimeException e) {
            errors.incrementAndGet();
          }
          nanos[caller] = System.nanoTime() - release[0];
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          done.countDown();
        }
      }, "burst-" + i);
      thread.start();
    }
    ready.await();
    release[0] = System.nanoTime();
    go.countDown();
    done.await();
    return new Outcome(new Latencies(nanos), errors.get());
  }
}
