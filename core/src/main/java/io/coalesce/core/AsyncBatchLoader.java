package io.coalesce.core;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Loads the values of many keys in one asynchronous call, for {@link CoalescingCache#getAllAsync}:
 * {@link BatchLoader}'s contract, with the values arriving later (a reactive repository's query, an
 * HTTP client's response).
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface AsyncBatchLoader<K, V> {

  /**
   * @param keys the keys to load, in the caller's order, never empty
   * @return the value of each key found; a failed stage's error reaches every caller waiting for one
   *     of the keys
   */
  CompletionStage<? extends Map<? extends K, ? extends V>> load(Set<K> keys);
}
