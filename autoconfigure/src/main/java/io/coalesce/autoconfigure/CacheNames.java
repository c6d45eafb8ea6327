package io.coalesce.autoconfigure;

import java.util.Collection;

/** The cache name a misspelled one probably meant. */
final class CacheNames {

  private CacheNames() {}

  /**
   * The name of {@code candidates} nearest to {@code name}, if it is near enough to be a slip of the
   * keyboard (an edit distance of at most a third of the name, and at most 3); otherwise {@code null}.
   */
  static String closest(String name, Collection<String> candidates) {
    int bound = Math.min(3, Math.max(1, name.length() / 3));
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int distance = distance(name, candidate);
      if (distance <= bound && distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best;
  }

  /** Levenshtein distance: insertions, deletions and substitutions, each costing one. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
