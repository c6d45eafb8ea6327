package io.coalesce.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Evicts one key of a Coalesce cache, or all of them, after the annotated method returns normally
 * (inside a transaction: after it commits). Nothing is evicted when the method throws. The eviction
 * reaches Redis and the L1 of every instance.
 *
 * <pre>{@code
 * @CoalescedEvict(cache = "products", key = "#p.id")
 * void update(Product p);
 *
 * @CoalescedEvict(cache = "products", allEntries = true)
 * void importCatalogue(Path file);
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface CoalescedEvict {

  /** The cache name. */
  String cache();

  /** SpEL expression over the method parameters giving the key to evict; empty means all arguments. */
  String key() default "";

  /** Whether to clear the whole cache instead of one key; {@link #key()} must then be empty. */
  boolean allEntries() default false;

  /**
   * Evicts each id of a collection: {@link #key()} (or the only argument) gives an {@code Iterable}
   * or an array of ids, e.g. {@code key = "#ids"} or {@code key = "#products.![id]"}.
   */
  boolean batch() default false;
}
