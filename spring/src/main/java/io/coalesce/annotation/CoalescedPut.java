package io.coalesce.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Stores the return value of the annotated method in a Coalesce cache after it returns normally,
 * replacing any cached value for the key. The method always runs.
 *
 * <p>Return types {@code T}, {@code Optional<T>} and {@code CompletableFuture<T>} are unwrapped
 * before storing; the key expression may use {@code #result} (the unwrapped value).
 *
 * <pre>{@code
 * @CoalescedPut(cache = "products", key = "#result.id")
 * Product save(Product p);
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface CoalescedPut {

  /** The cache name. */
  String cache();

  /** SpEL expression over the parameters and {@code #result} giving the key; empty means all arguments. */
  String key() default "";

  /**
   * Stores each value of the result under its own id: the method returns a {@code Map<ID, V>} or a
   * collection of values whose id {@link #elementId()} reads (a {@code saveAll}).
   * {@link #key()} must be empty.
   */
  boolean batch() default false;

  /** For a {@link #batch()} method returning a collection: the SpEL expression reading a value's id. */
  String elementId() default "";

  /**
   * SpEL expression over the parameters and {@code #result} giving the value's own version: a number
   * (an entity's {@code @Version}) or an instant ({@code Instant}, {@code Date}, {@code Timestamp}).
   * With one, a put of a lower version than the one the cache holds for the key loses, in Redis and in
   * every instance's L1, so that racing puts of one key from any number of instances leave the latest
   * row everywhere, whatever order they arrive in. Empty (the default): the last put to reach Redis
   * wins. Not with {@link #batch()}.
   *
   * <pre>{@code
   * @CoalescedPut(cache = "products", key = "#result.id", version = "#result.version")
   * Product save(Product p);
   * }</pre>
   */
  String version() default "";
}
