package io.coalesce.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** Many callers released together; collects what each got (a value or the exception it saw). */
public final class Burst {

  private Burst() {}

  /** Runs every call on its own thread, all released at once; waits at most 60 s. */
  public static List<Object> run(List<Callable<?>> calls) throws InterruptedException {
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    CountDownLatch ready = new CountDownLatch(calls.size());
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Object>> futures = new ArrayList<>();
      for (Callable<?> call : calls) {
        futures.add(pool.submit(() -> {
          ready.countDown();
          go.await();
          try {
            return call.call();
          } catch (Exception e) {
            return e;
          }
        }));
      }
      ready.await();
      go.countDown();
      List<Object> results = new ArrayList<>();
      for (Future<Object> future : futures) {
        try {
          results.add(future.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
          results.add(e);
        }
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
