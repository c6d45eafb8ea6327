package io.coalesce.core;

import java.util.Map;
import java.util.Set;

/**
 * Loads the values of many keys in one call, for {@link CoalescingCache#getAll}: given the keys that
 * are neither cached nor being loaded anywhere, returns their values by key. A key it leaves out of
 * the map, or maps to {@code null}, is "not found" and cached as such for {@code null-ttl}; a key it
 * returns that was not asked for is ignored.
 *
 * @param <K> the key type
 * @param <V> the value type
 */
@FunctionalInterface
public interface BatchLoader<K, V> {

  /**
   * @param keys the keys to load, in the caller's order, never empty
   * @return the value of each key found
   * @throws Exception any failure, given unchanged to every caller waiting for one of the keys
   */
  Map<? extends K, ? extends V> load(Set<K> keys) throws Exception;
}
