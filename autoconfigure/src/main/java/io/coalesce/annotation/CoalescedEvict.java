package io.coalesce.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Evicts one key of a Coalesce cache after the annotated method returns normally. Nothing is
 * evicted when the method throws.
 *
 * <pre>{@code
 * @CoalescedEvict(cache = "products", key = "#p.id")
 * void update(Product p);
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
}
