package io.coalesce.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Ranks {@code 0..n-1} drawn with a Zipf({@code s}) popularity: rank {@code k} with probability
 * proportional to {@code 1 / (k + 1)^s}. Inverts the cumulative distribution by binary search.
 */
final class Zipf {

  private final double[] cumulative;

  Zipf(int n, double s) {
    cumulative = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1 / Math.pow(k + 1, s);
      cumulative[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      cumulative[k] /= sum;
    }
  }

  int next(SplittableRandom random) {
    int at = Arrays.binarySearch(cumulative, random.nextDouble());
    return Math.min(at >= 0 ? at : -at - 1, cumulative.length - 1);
  }

  /** The share of draws that fall on the {@code top} most popular ranks. */
  double shareOfTop(int top) {
    return cumulative[Math.min(top, cumulative.length) - 1];
  }
}
