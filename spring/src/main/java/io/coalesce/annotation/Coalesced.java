package io.coalesce.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caches the result of the annotated method in the named Coalesce cache and makes concurrent
 * callers of one key share a single load.
 *
 * <p>Supported return types are {@code T}, {@code Optional<T>} and {@code CompletableFuture<T>};
 * with {@link #batch()}, a map or collection of values cached per id. A
 * {@code null} result (or an empty {@code Optional}) is cached for {@code null-ttl}. Exceptions
 * thrown by the method are rethrown, unchanged, to every caller that shared the load, and nothing
 * is cached.
 *
 * <p>Works on methods of classes and on interface methods, Spring Data repository interfaces
 * included. Misdeclarations (a {@code void} method, an empty cache name, a key expression that
 * does not parse) fail at application start-up with a message naming the method.
 *
 * <pre>{@code
 * @Coalesced(cache = "products", key = "#id")
 * Optional<Product> findById(long id);
 * }</pre>
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Documented
public @interface Coalesced {

  /** The cache name; settings come from {@code coalesce.caches.<name>} over {@code coalesce.defaults}. */
  String cache();

  /**
   * SpEL expression over the method parameters ({@code #id}, {@code #p0}, {@code #a0},
   * {@code #root.args}) giving the cache key. Empty (the default) means: the only argument is the
   * key; several arguments form a composite key; no argument at all is one fixed key.
   */
  String key() default "";

  /**
   * Caches the method <em>per id</em>: it takes a collection of ids (an {@code Iterable}, a
   * {@code Collection}, {@code List}, {@code Set} or an array) as its only argument and returns a
   * {@code Map<ID, V>} or a collection of values ({@code List}, {@code Set}, {@code Collection},
   * {@code Iterable}). Each id is one entry of the cache, the same entry a single-id
   * {@code @Coalesced} method of the cache reads; only the ids cached nowhere reach the method, in
   * one call with an argument of its declared type; the ids it does not return are cached as "not
   * found". The result holds the values found, in the order the ids were asked (each id once).
   * {@link #key()} must be empty.
   *
   * <pre>{@code
   * @Coalesced(cache = "products", batch = true, elementId = "id")
   * List<Product> findAllById(Iterable<Long> ids);
   * }</pre>
   */
  boolean batch() default false;

  /**
   * For a {@link #batch()} method returning a collection of values: the SpEL expression that reads
   * one value's id, with the value as its root object ({@code "id"}, {@code "sku.code"}). Not used
   * with a {@code Map} result, whose keys are the ids.
   */
  String elementId() default "";
}
