package io.coalesce.core;

import java.util.Collection;

/**
 * Hands out the {@link CoalescingCache} of each cache name: the programmatic API, for code that
 * cannot use the annotations. With Spring Boot, inject it as a bean.
 *
 * <pre>{@code
 * Product p = caches.getCache("products").get(id, Product.class, () -> repository.load(id));
 * }</pre>
 *
 * <p>Thread-safe. A name is resolved to its settings once ({@code coalesce.caches.<name>} over
 * {@code coalesce.defaults}); the same instance is returned for the same name afterwards.
 */
public interface CoalescingCacheManager {

  /**
   * The cache named {@code name}, created on first use.
   *
   * @throws IllegalArgumentException when {@code coalesce.strict-cache-names} is on and the name is
   *     not declared under {@code coalesce.caches}
   */
  CoalescingCache getCache(String name);

  /** The names of the caches created so far (every declared cache is created at start-up). */
  Collection<String> getCacheNames();
}
