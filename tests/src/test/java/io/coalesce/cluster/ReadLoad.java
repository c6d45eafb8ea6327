package io.coalesce.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.coalesce.cluster.ProductDb.Product;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Eight threads reading random keys {@code 0..keys-1} (each named {@code product-<id>}) every 2 ms
 * until closed, recording wrong values and exceptions as errors, and every call's latency. Closing
 * lets each thread finish its call: no caller is interrupted mid-call.
 */
final class ReadLoad implements AutoCloseable {

  final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
  final ConcurrentLinkedQueue<long[]> latencies = new ConcurrentLinkedQueue<>(); // {start, nanos}
  private final ExecutorService pool = Executors.newFixedThreadPool(8);
  private volatile boolean running = true;

  ReadLoad(ProductService service, int keys) {
    for (int t = 0; t < 8; t++) {
      pool.execute(() -> {
        while (running) {
          long id = ThreadLocalRandom.current().nextLong(keys);
          long start = System.nanoTime();
          try {
            Product product = service.find(id);
            if (!product.name().equals("product-" + id)) {
              errors.add(new AssertionError("wrong value " + product + " for " + id));
            }
          } catch (Throwable e) {
            errors.add(e);
          }
          latencies.add(new long[] {start, System.nanoTime() - start});
          RedisOutageIT.sleepMillis(2);
        }
      });
    }
  }

  long maxLatencyMillisBetween(long fromNanos, long toNanos) {
    return latencies.stream().filter(l -> l[0] >= fromNanos && l[0] <= toNanos)
        .mapToLong(l -> l[1]).max().orElse(0) / 1_000_000;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
  }
}
