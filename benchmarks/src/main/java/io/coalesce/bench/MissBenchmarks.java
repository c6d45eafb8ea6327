package io.coalesce.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Miss + load: every call asks for a key never seen before, the loader answers at once, so what is
 * measured is the cache's own work on a miss (Redis round trips included where there is Redis).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MissBenchmarks {

  /** A fresh key per call; per thread, so threads never share a key. */
  @State(Scope.Thread)
  public static class Keys {
    private static final java.util.concurrent.atomic.AtomicInteger THREADS = new java.util.concurrent.atomic.AtomicInteger();
    private final String prefix = "miss-" + THREADS.incrementAndGet() + "-" + System.nanoTime() + "-";
    private long next;

    String next() {
      return prefix + next++;
    }
  }

  /** Coalesce with Redis: L1 miss, L2 miss, rebuild lock, load, fenced write-back, release. */
  @Benchmark
  public Object miss_coalesced(BenchEnvironment env, Keys keys) {
    return env.coalesced.cold(keys.next());
  }

  @Benchmark
  public Object miss_springCaffeine(BenchEnvironment env, Keys keys) {
    return env.spring.cold(keys.next());
  }

  @Benchmark
  public Object miss_springRedis(BenchEnvironment env, Keys keys) {
    return env.spring.coldRemote(keys.next());
  }

  /** The floor: the key's string and one Caffeine insertion. */
  @Benchmark
  public Object miss_rawCaffeine_getPut(BenchEnvironment env, Keys keys) {
    String key = keys.next();
    return env.caffeine.get(key, k -> new Product((String) k, "Product " + k, 1999));
  }
}
