package io.coalesce.bench;

import java.util.Arrays;

/** Latencies of many calls (nanoseconds) and their percentiles, in milliseconds. */
final class Latencies {

  private final long[] sorted;

  Latencies(long[] nanos) {
    this.sorted = nanos.clone();
    Arrays.sort(sorted);
  }

  static Latencies merge(long[][] perThread, int[] counts) {
    int total = 0;
    for (int c : counts) {
      total += c;
    }
    long[] all = new long[total];
    int at = 0;
    for (int t = 0; t < perThread.length; t++) {
      System.arraycopy(perThread[t], 0, all, at, counts[t]);
      at += counts[t];
    }
    return new Latencies(all);
  }

  int count() {
    return sorted.length;
  }

  double percentileMillis(double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
  }

  /** How many calls took at least {@code millis}. */
  long countAtLeastMillis(double millis) {
    long threshold = (long) (millis * 1e6);
    int first = Arrays.binarySearch(sorted, threshold);
    if (first < 0) {
      first = -first - 1;
    } else {
      while (first > 0 && sorted[first - 1] == threshold) {
        first--;
      }
    }
    return sorted.length - first;
  }

  double maxMillis() {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6;
  }
}
