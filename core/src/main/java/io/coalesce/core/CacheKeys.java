package io.coalesce.core;

import java.util.Objects;

/**
 * The keys of one cache as the engine holds them. With a shared tier every instance must name a key
 * alike, so keys are held in their {@link KeyFormat string form} (remembered for immutable value keys,
 * so that a hit formats nothing); without one, the key object itself is used, except arrays, whose
 * equality is identity: they are held in their string form too, so that the same argument always hits.
 */
final class CacheKeys {

  private final String cache;
  private final boolean shared;
  private final KeyNames names;

  CacheKeys(String cache, boolean shared, long capacity) {
    this.cache = cache;
    this.shared = shared;
    this.names = new KeyNames(capacity);
  }

  /**
   * {@code key} as held.
   *
   * @throws NullPointerException for a {@code null} key, naming the cache
   * @throws IllegalArgumentException when the key has no stable string form and one is needed
   */
  Object normalize(Object key) {
    Objects.requireNonNull(key, () -> "Cache '" + cache + "' was given a null key; "
        + "check the key expression, or the argument that serves as the key");
    if (shared) {
      return names.of(key);
    }
    return key.getClass().isArray() ? KeyFormat.format(key) : key;
  }

  /** {@code key}'s string form, or {@code null} when it has none. */
  static String textOf(Object key) {
    try {
      return key instanceof String s ? s : KeyFormat.format(key);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
