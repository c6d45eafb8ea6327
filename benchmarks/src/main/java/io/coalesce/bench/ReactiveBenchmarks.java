package io.coalesce.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * {@code Mono} methods: Coalesce's {@code @Coalesced} against Spring's {@code @Cacheable} on a
 * {@code Mono} (Spring 6.1+, Caffeine in async mode), each subscribed and awaited with
 * {@code block()}. A hit reads one hot key; a miss reads a key never asked before (a counter), so it
 * loads, with the backend answering at once: what is measured is each cache's own miss path. Coalesce
 * misses twice: in L1 alone (remote off, like Spring's Caffeine) and with Redis (an L2 read with the
 * rebuild lock, the load, a fenced write-back), its usual deployment.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Benchmark)
public class ReactiveBenchmarks {

  private final AtomicLong coldKeys = new AtomicLong();

  private String coldKey() {
    return "cold-" + coldKeys.incrementAndGet();
  }

  @Benchmark
  public Object monoHit_coalesced(BenchEnvironment env) {
    return env.coalesced.monoBySku(BenchEnvironment.HOT_SKU).block();
  }

  @Benchmark
  public Object monoHit_springCaffeineAsync(BenchEnvironment env) {
    return env.spring.monoBySku(BenchEnvironment.HOT_SKU).block();
  }

  @Benchmark
  public Object monoMiss_coalescedL1Only(BenchEnvironment env) {
    return env.coalesced.monoColdLocal(coldKey()).block();
  }

  @Benchmark
  public Object monoMiss_coalescedWithRedis(BenchEnvironment env) {
    return env.coalesced.monoCold(coldKey()).block();
  }

  @Benchmark
  public Object monoMiss_springCaffeineAsync(BenchEnvironment env) {
    return env.spring.monoCold(coldKey()).block();
  }
}
