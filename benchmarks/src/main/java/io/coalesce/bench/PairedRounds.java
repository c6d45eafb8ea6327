package io.coalesce.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The L2 hit and the miss with Redis, each timed against its floor in <em>paired rounds</em>: one
 * JVM, one Redis, and in every round each contender runs one block of calls, in a fresh random
 * order, so that whatever else the machine does at that moment slows the contenders of a round alike.
 * What it prints per contender is the median of its per-round ratio to the floor, the range of
 * the middle 80 % of those ratios and a bootstrap 95 % interval of that median, which decides a target like "≤ 1.1×" where JMH's sequential runs
 * (one contender after the other, minutes apart) leave error bars wider than the margin.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.coalesce.bench.PairedRounds [rounds] [calls per block]</pre>
 *
 * <p>{@code -Dpaired.only=hit} or {@code miss} runs one of the two tables.
 */
public final class PairedRounds {

  private PairedRounds() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    System.out.println("Paired rounds (CPU per call: the whole JVM's, every thread, and the Redis server's): " + rounds + " rounds x " + calls + " calls per contender, "
        + Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("java.vm.name") + " "
        + System.getProperty("java.version") + ", load: " + Scenarios.loadAverage());
    BenchEnvironment env = new BenchEnvironment();
    env.start();
    redisPid = env.redis.pid();
    try {
      MissBenchmarks.Keys keys = new MissBenchmarks.Keys();
      HitBenchmarks hits = new HitBenchmarks();
      MissBenchmarks misses = new MissBenchmarks();
      Map<String, Supplier<Object>> hit = new LinkedHashMap<>();
      hit.put("raw Lettuce GET + decode (floor)", () -> hits.l2_rawLettuce_getAndDecode(env));
      hit.put("Coalesce @Coalesced, L1 off", () -> hits.l2_coalesced(env));
      hit.put("Coalesce engine, L1 off", () -> hits.l2_engine(env));
      hit.put("raw Lettuce read-or-lock script + decode", () -> hits.l2_rawLettuce_readScriptAndDecode(env));
      hit.put("Spring @Cacheable(sync) Redis", () -> hits.l2_springRedis(env));
      Map<String, Supplier<Object>> miss = new LinkedHashMap<>();
      miss.put("Spring @Cacheable(sync) Redis (floor)", () -> misses.miss_springRedis(env, keys));
      miss.put("Coalesce @Coalesced", () -> misses.miss_coalesced(env, keys));
      String only = System.getProperty("paired.only", "");
      if (!only.equals("miss")) {
        run("L2 hit, µs per call", hit, rounds, calls);
      }
      if (!only.equals("hit")) {
        run("miss + load with Redis, µs per call", miss, rounds, Math.max(1, calls / 3));
      }
      System.out.println("load after the run: " + Scenarios.loadAverage());
    } finally {
      env.stop();
    }
  }

  private static void run(String title, Map<String, Supplier<Object>> contenders, int rounds, int calls) {
    List<String> names = new ArrayList<>(contenders.keySet());
    String filter = System.getProperty("paired.filter"); // one contender alone, to trace it
    if (filter != null) {
      names.removeIf(name -> !name.contains(filter));
    }
    Random order = new Random(42);
    for (int warm = 0; warm < 5; warm++) { // JIT and connections warm before anything counts
      for (String name : names) {
        block(contenders.get(name), calls);
      }
    }
    double[][] micros = new double[names.size()][rounds];
    long[] jvmCpu = new long[names.size()];
    long[] redisCpu = new long[names.size()];
    for (int round = 0; round < rounds; round++) {
      List<Integer> shuffled = new ArrayList<>();
      for (int i = 0; i < names.size(); i++) {
        shuffled.add(i);
      }
      Collections.shuffle(shuffled, order);
      for (int i : shuffled) {
        long jvm = jvmCpuNanos();
        long server = redisCpuNanos();
        micros[i][round] = block(contenders.get(names.get(i)), calls) / 1_000.0 / calls;
        jvmCpu[i] += jvmCpuNanos() - jvm;
        redisCpu[i] += redisCpuNanos() - server;
      }
    }
    System.out.println();
    System.out.println(title + " (" + rounds + " rounds; ratio to the first row: median [10th, 90th percentile of the"
        + " rounds], and the 95% confidence interval of the median by bootstrap)");
    for (int i = 0; i < names.size(); i++) {
      double[] ratios = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        ratios[round] = micros[i][round] / micros[0][round];
      }
      double[] interval = medianInterval(ratios);
      System.out.printf("  %-45s %8.1f µs (median)   ratio %.3f [%.3f, %.3f], median's 95%% CI [%.3f, %.3f]"
          + "   CPU per call: JVM %.1f µs, Redis %.1f µs%n",
          names.get(i), percentile(micros[i], 50), percentile(ratios, 50), percentile(ratios, 10),
          percentile(ratios, 90), interval[0], interval[1], jvmCpu[i] / 1_000.0 / rounds / calls,
          redisCpu[i] / 1_000.0 / rounds / calls);
    }
  }

  private static long redisPid;

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** The Redis server's user + system CPU time, from {@code /proc} (clock ticks, taken as 10 ms); 0 elsewhere. */
  private static long redisCpuNanos() {
    try {
      String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + redisPid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
    } catch (java.io.IOException | RuntimeException e) {
      return 0;
    }
  }

  private static long block(Supplier<Object> call, int calls) {
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      if (call.get() == null) {
        throw new IllegalStateException("a benchmark call returned nothing");
      }
    }
    return System.nanoTime() - start;
  }

  /** The 2.5th and 97.5th percentiles of the median of {@code values} resampled with replacement (a fixed seed). */
  private static double[] medianInterval(double[] values) {
    Random random = new Random(7);
    double[] medians = new double[2_000];
    double[] sample = new double[values.length];
    for (int b = 0; b < medians.length; b++) {
      for (int i = 0; i < sample.length; i++) {
        sample[i] = values[random.nextInt(values.length)];
      }
      medians[b] = percentile(sample, 50);
    }
    return new double[] {percentile(medians, 2.5), percentile(medians, 97.5)};
  }

  /** The value at rank {@code floor(p% of n)} of the sorted values: for an even count the median is the upper middle one. */
  private static double percentile(double[] values, double p) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(p / 100.0 * sorted.length))];
  }
}
